"""What users read: Swedish numbers, tables and sentences built from metric frames.

Free of Streamlit, so the pages, the meeting pack, the goals and the command line show
the same text for the same figures. It reads metric frames and knows nothing of charts.
"""
