"""Documents produced from the record: PDFs rendered from templates, and the checks run on their prose.

Nothing here knows about cases. The areas that write documents (breach reports, warning letters, recall
Part A, letters) build the context from their own record and call :func:`documents.pdf.render_pdf`; they call
:func:`documents.spelling.check_spelling` on the prose an author wrote before a document may be approved.
"""
