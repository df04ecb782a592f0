"""Storage: the bytes we keep (content-addressed blobs) and the packages, workspaces and zips made of them."""
