"""What people read: feedback pages, the course report, plots and grade exports."""
