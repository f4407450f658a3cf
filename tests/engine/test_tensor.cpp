// Tensor storage: zero when new, without writing the zeros, reused by reshape, and watched
// for its freeing where a device has imported it.
#include <attn/tensor.h>

#include <QTest>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

namespace {

bool allZero(const attn::Tensor& t)
{
    return std::all_of(t.data.begin(), t.data.end(), [](float v) { return v == 0.0f; });
}

struct RecordingWatcher final : attn::zeroed::FreeWatcher {
    std::vector<const void*> freed;
    void blockFreed(const void* block) noexcept override { freed.push_back(block); }
};

} // namespace

class TestTensor : public QObject {
    Q_OBJECT

private slots:
    void newTensorsAreZero_data()
    {
        QTest::addColumn<qulonglong>("rows");
        QTest::newRow("small, from the heap") << qulonglong(3);
        QTest::newRow("large, on pages of its own") << qulonglong(3000); // 3000 x 1000 floats: 12 MB
    }
    void newTensorsAreZero()
    {
        QFETCH(qulonglong, rows);
        for (int round = 0; round < 3; ++round) { // freed blocks that come back must be zero again
            attn::Tensor t({std::size_t(rows), 1000});
            QVERIFY(allZero(t));
            std::fill(t.data.begin(), t.data.end(), 7.0f);
        }
    }

    void largeStorageStartsOnAHugePageBoundary()
    {
        const attn::Tensor t({4, std::size_t(1) << 20});
        QCOMPARE(reinterpret_cast<std::uintptr_t>(t.ptr()) % attn::zeroed::hugePageBytes, std::uintptr_t(0));
    }

    void reshapeKeepsTheStorageAndZeroesNewElements()
    {
        attn::Tensor t({4, 5});
        std::fill(t.data.begin(), t.data.end(), 3.0f);
        t.reshape({2, 5});
        const float* storage = t.ptr();
        t.reshape({3, 5});
        QCOMPARE(t.ptr(), storage);
        QCOMPARE(t.shape, (std::vector<std::size_t>{3, 5}));
        QVERIFY(std::all_of(t.data.begin(), t.data.begin() + 10, [](float v) { return v == 3.0f; }));
        QVERIFY(std::all_of(t.data.begin() + 10, t.data.end(), [](float v) { return v == 0.0f; }));
    }

    void reshapePastTheCapacityGivesZeroedStorage()
    {
        attn::Tensor t({2, 2});
        std::fill(t.data.begin(), t.data.end(), 3.0f);
        t.reshape({1000, 1000});
        QCOMPARE(t.size(), std::size_t(1000000));
        QVERIFY(allZero(t));
    }

    void onlyLargeBlocksHaveAMappingOfTheirOwn()
    {
        QCOMPARE(attn::zeroed::ownMappingBytes(1000), std::size_t(0));
        QCOMPARE(attn::zeroed::ownMappingBytes(attn::zeroed::hugeBlockBytes), attn::zeroed::hugePageBytes);
        QCOMPARE(attn::zeroed::ownMappingBytes(attn::zeroed::hugePageBytes + 1), 2 * attn::zeroed::hugePageBytes);
    }

    // A GPU that imported a tensor's block must hear of its freeing before the block is
    // handed out again; once told, or once it has let go itself, it hears no more.
    void aWatchedBlockIsReportedFreedBeforeItIsReused()
    {
        const auto watcher = std::make_shared<RecordingWatcher>();
        const std::size_t elements = 7 * attn::zeroed::hugePageBytes / sizeof(float); // a length no other test frees
        const void* block = nullptr;
        {
            attn::Tensor first({elements});
            block = first.ptr();
            QVERIFY(attn::zeroed::watchFree(block, watcher));
            QVERIFY(watcher->freed.empty());
        }
        QCOMPARE(watcher->freed, std::vector<const void*>{block});
        {
            attn::Tensor second({elements});
            QCOMPARE(static_cast<const void*>(second.ptr()), block); // the freed block, handed out again
        }
        QCOMPARE(watcher->freed.size(), std::size_t(1)); // no longer watched

        {
            attn::Tensor third({elements});
            QVERIFY(attn::zeroed::watchFree(third.ptr(), watcher));
            attn::zeroed::unwatchFree(third.ptr(), *watcher);
        }
        QCOMPARE(watcher->freed.size(), std::size_t(1));
    }

    // Two devices importing one block (two sessions writing one trace): the second is
    // refused, and cannot take the first one's watch away.
    void aBlockHasOneWatcher()
    {
        const auto first = std::make_shared<RecordingWatcher>(), second = std::make_shared<RecordingWatcher>();
        const void* block = nullptr;
        {
            attn::Tensor tensor({attn::zeroed::hugePageBytes / sizeof(float)});
            block = tensor.ptr();
            QVERIFY(attn::zeroed::watchFree(block, first));
            QVERIFY(!attn::zeroed::watchFree(block, second));
            attn::zeroed::unwatchFree(block, *second);
        }
        QCOMPARE(first->freed, std::vector<const void*>{block});
        QVERIFY(second->freed.empty());
    }

    void copiesHoldTheSameValues()
    {
        attn::Tensor t({600, 1000});
        t.data[12345] = 1.5f;
        const attn::Tensor copy = t;
        QCOMPARE(copy.data, t.data);
        QVERIFY(copy.ptr() != t.ptr());
    }
};

QTEST_APPLESS_MAIN(TestTensor)
#include "test_tensor.moc"
