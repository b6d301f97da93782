"""The plan of care, pure: Medicare's timing rules for certification and progress reports, findings
turned into proposed problems, and the prognosis of a goal. No database, no web."""
