"""Plain types every stage shares: rubrics, notebook cells, errors."""
