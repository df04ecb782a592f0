"""Remixbank's metadata in the sector's own formats: OAI-PMH, IEEE LOM, schema.org, Common Cartridge."""
