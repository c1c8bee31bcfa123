"""Appendix ("Phụ lục") table detection, cells and indicator records."""
