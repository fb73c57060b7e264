"""What instructors make and check: releases, the authoring check, adoption, validation."""
