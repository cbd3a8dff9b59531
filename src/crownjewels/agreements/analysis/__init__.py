"""Clause analysis of agreements: text extraction, a legal-text splitter, the requirement
catalogue and profiles as data, and the analyser that cites its evidence."""
