"""OGC API – Features (Part 1: Core) over the atlas: one collection per level with districts."""
