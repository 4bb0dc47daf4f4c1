"""The eukg HTTP service: the SPARQL 1.1 endpoint, named queries, linked-data pages and dumps.

:func:`api.app.create_app` builds the application from its settings and a store; ``api.cli``
holds the ``eukg serve`` and ``eukg load`` commands. The package imports :mod:`eukg`; the core
package never imports ``api``.
"""
