"""Reports and plots for clinicians and patients."""
