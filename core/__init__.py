"""What every app shares and no page owns; it imports no app of the atlas."""
