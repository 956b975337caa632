"""gkreport: read 政府信息公开工作年度报告 and turn them into checked data."""

__version__ = "0.1.0"
