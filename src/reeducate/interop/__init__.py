"""Exchange with other systems: FHIR R4 (R4B models from fhir.resources)."""
