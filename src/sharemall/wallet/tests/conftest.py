from sharemall.wallet.tests.support import committing_db

__all__ = ["committing_db"]
