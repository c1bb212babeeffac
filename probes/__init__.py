"""httpx probes: link status, availability, IPv6, search."""
