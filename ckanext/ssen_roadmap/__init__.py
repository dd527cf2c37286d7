"""The data roadmap: a timeline page built from dataset metadata."""
