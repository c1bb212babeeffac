"""Rule profiles turned into veto / deduction / bonus / warning events."""
