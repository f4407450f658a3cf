// The window's worker: the newest request wins, also over one already running.
#include "gui_test_main.h"

#include "compute/compute_service.h"

#include <QSignalSpy>

namespace {

// Seconds of arithmetic on the reference backend: a pasted book, as the worker sees it.
attn::Request slowRequest()
{
    attn::Request request;
    for (int i = 0; i < 500; ++i)
        request.text += i % 5 == 0 ? "the cat " : "sat ";
    request.config.d_model = 768;
    request.config.heads = 12;
    request.config.d_k = 64;
    request.backend = attn::BackendKind::Reference;
    return request;
}

} // namespace

class TestComputeService : public QObject {
    Q_OBJECT
private slots:
    // A correction typed while a long computation runs is answered without waiting for
    // it: the running request stops and is never answered. Had it run on, the newer answer
    // would still come first (its statistics stop for the newer request), but only once the
    // slow request's whole time had passed: the quick answer's time says it did not.
    void aNewerRequestStopsTheOneRunning()
    {
        ComputeService service;
        QSignalSpy finished(&service, &ComputeService::finished);
        QSignalSpy failed(&service, &ComputeService::failed);
        service.submit(slowRequest()); // its whole time, for the comparison below
        QVERIFY(finished.wait(60000));
        const double slowMs = finished.takeFirst().at(3).toDouble();

        const quint64 slow = service.submit(slowRequest());
        QTest::qWait(100); // the worker has taken it
        attn::Request quick;
        quick.text = "I love you";
        quick.backend = attn::BackendKind::Blas;
        const quint64 newer = service.submit(quick);
        QVERIFY(newer > slow);
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.front().at(0).toULongLong(), newer);
        QCOMPARE(finished.front().at(1).value<TracePtr>()->queryCount(), std::size_t(3));
        const double quickMs = finished.front().at(3).toDouble();
        QVERIFY2(quickMs < slowMs / 2,
                 qPrintable(u"the newer request took "_qs + QString::number(quickMs) + u" ms, the slow one alone "_qs
                            + QString::number(slowMs) + u" ms"_qs));
        QVERIFY(failed.isEmpty());
    }
};

ATTN_GUI_TEST_MAIN(TestComputeService)
#include "test_compute_service.moc"
