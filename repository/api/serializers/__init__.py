"""API serializers, one module per resource; in each, outputs (…Out) first, then inputs (…In)."""
