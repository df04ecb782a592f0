"""API views, one module per resource. Reads: viewsets over `visible_to(...)`. Writes: one small
view per operation, input serializer → action → output serializer. Roles are checked by the
querysets and actions; scopes and sign-in by ScopeAndSignIn.
"""
