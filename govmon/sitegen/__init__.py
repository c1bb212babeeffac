"""A generator of realistic Chinese government portals, with ground truth, served on loopback."""
