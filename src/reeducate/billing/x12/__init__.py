"""ASC X12 5010 transactions: the 837P professional claim and the 270/271 eligibility exchange."""
