"""Monitoring notices (监测通报): weekly and bi-weekly, HTML, DOCX, XLSX, JSON."""
