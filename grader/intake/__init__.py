"""Taking submissions in: one student's files, or a folder or LMS zip of many."""
