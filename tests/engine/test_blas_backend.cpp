// Placeholder until this area's tests are written.
#include <QTest>
class Placeholder : public QObject { Q_OBJECT };
QTEST_GUILESS_MAIN(Placeholder)
#include "test_blas_backend.moc"
