// The Vulkan backend against the double-precision reference, over many shapes: n = 1,
// d_k = 1, odd and prime sizes, 1 and 32 heads, causal or not, temperatures, d_v != d_k,
// biases, cross-attention, and n in the thousands. Runs on whatever Vulkan device the
// machine has (lavapipe in CI) with the validation layer on; any validation warning or
// error fails the test that caused it.
#include "trace_compare.h"

#include "vulkan/context.h"
#include "vulkan/host_import.h"
#include "vulkan/validation_log.h"
#include "vulkan/vulkan_backend.h"

#include <attn/backend.h>
#include <attn/backend_choice.h>
#include <attn/config.h>

#include <QTest>

#include <cmath>
#include <memory>
#include <tuple>

using namespace vulkantest;

namespace {

struct Shape {
    int queries = 1;
    int keys = 0; // 0: self-attention
    int dModel = 8;
    int heads = 1;
    int dK = 4;
    int dV = 0; // 0: same as d_k
    bool causal = false;
    double temperature = 1.0;
    bool scaled = true;
    bool bias = false;
};

} // namespace

Q_DECLARE_METATYPE(Shape)

namespace {

QString describe(const Shape& s)
{
    return QStringLiteral("n_q=%1 n_k=%2 d_model=%3 h=%4 d_k=%5 d_v=%6 causal=%7 T=%8 bias=%9")
        .arg(s.queries)
        .arg(s.keys ? s.keys : s.queries)
        .arg(s.dModel)
        .arg(s.heads)
        .arg(s.dK)
        .arg(s.dV ? s.dV : s.dK)
        .arg(s.causal)
        .arg(s.temperature)
        .arg(s.bias);
}

// Runs one problem on both backends, Vulkan's into `actual` (fresh or recycled storage);
// fails the test with the first difference.
void expectAgreement(attn::Backend& vulkan, const Shape& s, std::uint64_t seed, attn::Trace& actual)
{
    attn::Config config;
    config.d_model = s.dModel;
    config.heads = s.heads;
    config.d_k = s.dK;
    config.d_v = s.dV;
    config.temperature = float(s.temperature);
    config.scaling = s.scaled ? attn::Scaling::InvSqrtDk : attn::Scaling::None;
    const attn::LayerWeights weights = randomLayer(s.heads, s.dModel, s.dK, config.valueDim(), s.bias, seed);
    const attn::Tensor queries = randomInputs(std::size_t(s.queries), s.dModel, seed + 1);
    const attn::Tensor keys = s.keys ? randomInputs(std::size_t(s.keys), s.dModel, seed + 2) : attn::Tensor();
    const attn::AttentionProblem problem{queries, s.keys ? keys : queries, weights, s.causal, config.scoreScale()};

    attn::Trace expected;
    attn::makeReferenceBackend()->forward(problem, expected);
    vulkan.forward(problem, actual);
    const QString difference = compareTraces(actual, expected);
    QVERIFY2(difference.isEmpty(), qPrintable(describe(s) + QStringLiteral(": ") + difference));
}

void expectAgreement(attn::Backend& vulkan, const Shape& s, std::uint64_t seed)
{
    attn::Trace actual;
    expectAgreement(vulkan, s, seed, actual);
}

// Lowers the storage buffer limit the backend plans with, for one scope.
class StorageLimit {
public:
    explicit StorageLimit(std::uint64_t bytes) { attn::vulkan::setStorageRangeLimitForTesting(bytes); }
    ~StorageLimit() { attn::vulkan::setStorageRangeLimitForTesting(0); }
    StorageLimit(const StorageLimit&) = delete;
    StorageLimit& operator=(const StorageLimit&) = delete;
};

// Caps each session's imported host memory, for one scope.
class ImportCap {
public:
    explicit ImportCap(std::uint64_t bytes) { attn::vulkan::setHostImportCapForTesting(bytes); }
    ~ImportCap() { attn::vulkan::setHostImportCapForTesting(0); }
    ImportCap(const ImportCap&) = delete;
    ImportCap& operator=(const ImportCap&) = delete;
};

} // namespace

class TestVulkanBackend : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<attn::Backend> m_vulkan; // one for all tests: buffers grow and are reused
    QString m_unavailable;

    attn::Backend& vulkan() { return *m_vulkan; }

private slots:
    void initTestCase()
    {
        qunsetenv("ATTN_VULKAN_FAULT");
        try {
            m_vulkan = attn::makeBackend(attn::BackendKind::Vulkan);
        } catch (const attn::BackendFailure& failure) {
            m_unavailable = QString::fromStdString(failure.what());
        }
    }

    void init()
    {
        if (!m_vulkan)
            QSKIP(qPrintable(QStringLiteral("no usable Vulkan here: ") + m_unavailable));
    }

    // Runs after every test: a validation message fails the test that caused it.
    void cleanup()
    {
        const std::vector<std::string> messages = attn::vulkan::takeValidationMessages();
        QVERIFY2(messages.empty(), messages.empty() ? "" : messages.front().c_str());
    }

    void validationLayerIsOnWhenInstalled()
    {
        if (qgetenv("ATTN_VULKAN_VALIDATION") != "1")
            QSKIP("ATTN_VULKAN_VALIDATION is not 1");
        if (!attn::vulkan::validationLayerAvailable())
            QSKIP("the Vulkan loader finds no Khronos validation layer");
        QVERIFY(attn::vulkan::validationWasEnabled());
    }

    void reportsItsName() { QCOMPARE(vulkan().name(), std::string("vulkan")); }

    void matchesReference_data()
    {
        QTest::addColumn<Shape>("shape");
        // queries, keys, d_model, heads, d_k, d_v, causal, temperature, scaled, bias
        QTest::newRow("one token") << Shape{1, 0, 8, 1, 4, 0, false, 1.0, true, false};
        QTest::newRow("one token causal bias") << Shape{1, 0, 3, 2, 5, 0, true, 1.0, true, true};
        QTest::newRow("d_k 1") << Shape{7, 0, 5, 3, 1, 0, false, 1.0, true, false};
        QTest::newRow("d_k 1 d_v 1 d_model 1") << Shape{4, 0, 1, 1, 1, 1, true, 1.0, true, true};
        QTest::newRow("primes") << Shape{13, 0, 17, 5, 11, 7, false, 1.0, true, true};
        QTest::newRow("32 heads causal") << Shape{37, 0, 64, 32, 8, 0, true, 1.0, true, false};
        QTest::newRow("one over tile") << Shape{65, 0, 130, 2, 67, 0, true, 0.5, true, true};
        QTest::newRow("exact tiles") << Shape{64, 0, 64, 1, 64, 0, false, 1.0, true, false};
        QTest::newRow("two tiles plus one") << Shape{129, 0, 33, 3, 16, 0, true, 1.0, true, false};
        QTest::newRow("hot temperature") << Shape{23, 0, 32, 4, 8, 0, false, 10.0, true, true};
        QTest::newRow("cold temperature") << Shape{23, 0, 32, 4, 8, 0, true, 0.05, true, false};
        QTest::newRow("unscaled") << Shape{19, 0, 24, 2, 12, 0, false, 1.0, false, false};
        QTest::newRow("d_v larger than d_k") << Shape{11, 0, 20, 3, 4, 29, false, 1.0, true, true};
        QTest::newRow("d_k 256") << Shape{50, 0, 96, 2, 256, 3, true, 1.0, true, false};
        QTest::newRow("bert sized") << Shape{70, 0, 768, 12, 64, 0, false, 1.0, true, true};
        QTest::newRow("cross more keys") << Shape{9, 23, 24, 4, 6, 10, false, 1.0, true, true};
        QTest::newRow("cross more keys causal") << Shape{3, 40, 16, 2, 8, 0, true, 1.0, true, false};
        QTest::newRow("cross more queries causal") << Shape{31, 5, 16, 3, 4, 0, true, 2.0, true, true};
        QTest::newRow("cross one key") << Shape{6, 1, 8, 2, 3, 0, false, 1.0, true, false};
    }

    void matchesReference()
    {
        QFETCH(Shape, shape);
        expectAgreement(vulkan(), shape, 1234);
    }

    // Thousands of tokens once (kept small elsewhere so the test stays quick on a CPU driver).
    void thousandsOfTokensMatchReference()
    {
        expectAgreement(vulkan(), Shape{2500, 0, 8, 2, 3, 5, true, 1.0, true, true}, 99);
    }

    // Scores larger than one storage buffer binding are computed a few heads at a time.
    // The device limit is lowered so that 5 heads of 37 x 37 scores go in chunks of 2, 2, 1,
    // 9 heads in five chunks, and 3 heads of 37 queries by 29 keys in chunks of 2, 1.
    void headsComputedInChunksMatchReference()
    {
        const StorageLimit limit(37 * 37 * sizeof(float) * 2 + 100);
        expectAgreement(vulkan(), Shape{37, 0, 16, 5, 8, 0, true, 1.0, true, true}, 5);
        expectAgreement(vulkan(), Shape{37, 0, 16, 9, 8, 0, false, 1.0, true, false}, 7);
        expectAgreement(vulkan(), Shape{37, 29, 16, 3, 8, 0, false, 1.0, true, true}, 6);
    }

    void requestBeyondStorageLimitIsRefusedClearly()
    {
        {
            const StorageLimit limit(1000);
            const attn::LayerWeights weights = randomLayer(1, 4, 2, 2, false, 1);
            const attn::Tensor x = randomInputs(37, 4, 2);
            attn::Trace trace;
            try {
                vulkan().forward({x, x, weights, false, 1.0f}, trace);
                QFAIL("a request beyond the storage buffer limit was accepted");
            } catch (const attn::BackendFailure& failure) {
                QVERIFY2(QString::fromLatin1(failure.what()).contains(QStringLiteral("largest storage buffer")), failure.what());
            }
        }
        // The refused request leaves the backend usable.
        expectAgreement(vulkan(), Shape{5, 0, 4, 1, 2, 0, false, 1.0, true, false}, 3);
    }

    // Typing grows the request one token at a time, and deleting shrinks it; the reused
    // (and occasionally grown) buffers must never leak a previous request's numbers.
    void growingAndShrinkingRequestsMatchReference()
    {
        for (int n : {1, 2, 3, 5, 8, 13, 21, 34, 2, 1, 40}) {
            expectAgreement(vulkan(), Shape{n, 0, 16, 2, 8, 0, n % 2 == 1, 1.0, true, n % 3 == 0}, std::uint64_t(n));
            if (QTest::currentTestFailed())
                return;
        }
    }

    // Where the device can import host memory, large results (here the 720 KB of scores
    // and of weights) are written by the GPU straight into the trace's own storage once that
    // storage comes back for a second request; the first time, and for small results, they
    // come through the staging buffer.
    void largeResultsAreWrittenStraightIntoRecycledTraceStorage()
    {
        if (attn::vulkan::Context().hostImportAlignment() == 0)
            QSKIP("this Vulkan device cannot import host memory (no VK_EXT_external_memory_host)");
        attn::Trace trace; // recycled: the same storage, then less of it, then storage too small
        const std::pair<int, bool> requests[] = {{300, false}, {300, true}, {280, true}, {310, false}, {310, true}};
        for (const auto& [n, inPlace] : requests) {
            const std::uint64_t before = attn::vulkan::bytesWrittenInPlaceForTesting();
            expectAgreement(vulkan(), Shape{n, 0, 16, 2, 8, 0, n != 280, 1.0, true, true}, std::uint64_t(n), trace);
            const std::uint64_t scoresAndWeights = 2 * 2 * std::uint64_t(n) * std::uint64_t(n) * sizeof(float);
            QCOMPARE(attn::vulkan::bytesWrittenInPlaceForTesting() - before, inPlace ? scoresAndWeights : 0);
        }
    }

    // Importing pins pages, so a live session's recycled storage is imported once; each
    // request still gets its own numbers.
    void recycledStorageIsImportedOnce()
    {
        if (attn::vulkan::Context().hostImportAlignment() == 0)
            QSKIP("this Vulkan device cannot import host memory (no VK_EXT_external_memory_host)");
        attn::Trace trace;
        const Shape shape{300, 0, 16, 2, 8, 0, true, 1.0, true, true};
        const std::uint64_t before = attn::vulkan::hostImportsForTesting();
        for (std::uint64_t seed : {11, 12, 13, 14})
            expectAgreement(vulkan(), shape, seed, trace);
        QCOMPARE(attn::vulkan::hostImportsForTesting() - before, std::uint64_t(2)); // scores and weights
    }

    // The layer's weights and the inputs, when the same storage comes back, are lent to
    // the device like the results (no copy on the host); the GPU reads them afresh on every
    // request, so a change made to them in place is seen.
    void inputsLentToTheDeviceAreReadAfreshEachRequest()
    {
        if (attn::vulkan::Context().hostImportAlignment() == 0)
            QSKIP("this Vulkan device cannot import host memory (no VK_EXT_external_memory_host)");
        attn::LayerWeights weights = randomLayer(4, 512, 128, 128, true, 7); // 1 MB per matrix
        attn::Tensor x = randomInputs(300, 512, 8);                          // 600 KB
        attn::Trace trace;
        const std::uint64_t before = attn::vulkan::hostImportsForTesting();
        for (int request = 0; request < 3; ++request) {
            if (request == 2) {
                for (float& value : x.data)
                    value = 0.5f - value;
                weights.w_k.data[7] += 1.0f;
            }
            const attn::AttentionProblem problem{x, x, weights, false, 0.35f};
            attn::Trace expected;
            attn::makeReferenceBackend()->forward(problem, expected);
            vulkan().forward(problem, trace);
            const QString difference = compareTraces(trace, expected);
            QVERIFY2(difference.isEmpty(), qPrintable(QStringLiteral("request %1: %2").arg(request).arg(difference)));
        }
        // x and the four weight matrices (the biases are too small to have pages of their
        // own), and the seven results, every one larger than 512 KiB.
        QCOMPARE(attn::vulkan::hostImportsForTesting() - before, std::uint64_t(5 + 7));
    }

    // Heads computed a few at a time land at their offsets in the imported storage.
    void headsComputedInChunksIntoImportedStorageMatchReference()
    {
        const StorageLimit limit(300 * 300 * sizeof(float) * 2 + 100);
        attn::Trace trace;
        for (std::uint64_t seed : {21, 22})
            expectAgreement(vulkan(), Shape{300, 0, 16, 5, 8, 0, seed == 21, 1.0, true, true}, seed, trace);
    }

    // A freed block is let go of before the allocator hands it out again (here to the next
    // trace of the same size), so a block at a known address counts as new: it is imported
    // afresh, never written through an import of memory that has changed hands.
    void freedStorageIsImportedAfresh()
    {
        if (attn::vulkan::Context().hostImportAlignment() == 0)
            QSKIP("this Vulkan device cannot import host memory (no VK_EXT_external_memory_host)");
        const attn::LayerWeights weights = randomLayer(2, 16, 8, 8, true, 21);
        const attn::Tensor x = randomInputs(300, 16, 22), otherX = randomInputs(300, 16, 23);
        const attn::AttentionProblem problem{x, x, weights, false, 0.35f}, other{otherX, otherX, weights, false, 0.35f};
        attn::Trace expected;
        attn::makeReferenceBackend()->forward(problem, expected);

        const void* freedScores = nullptr;
        {
            attn::Trace first;
            vulkan().forward(other, first);
            vulkan().forward(other, first); // imported
            freedScores = first.scores.ptr();
        }
        const std::uint64_t before = attn::vulkan::hostImportsForTesting();
        attn::Trace second;
        vulkan().forward(problem, second);
        QVERIFY2(second.scores.ptr() == freedScores || second.weights.ptr() == freedScores,
                 "the allocator did not hand the freed block out again; this test needs it to");
        QCOMPARE(attn::vulkan::hostImportsForTesting() - before, std::uint64_t(0)); // new storage: staging
        vulkan().forward(problem, second);
        QCOMPARE(attn::vulkan::hostImportsForTesting() - before, std::uint64_t(2));
        const QString difference = compareTraces(second, expected);
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
    }

    // Above the cap, the imports of earlier requests are let go of (and their blocks count
    // as new again); results stay right.
    void importsBeyondTheCapAreLetGoLeastRecentlyUsedFirst()
    {
        if (attn::vulkan::Context().hostImportAlignment() == 0)
            QSKIP("this Vulkan device cannot import host memory (no VK_EXT_external_memory_host)");
        const ImportCap cap(1); // room for one request's imports only
        const Shape shape{300, 0, 16, 2, 8, 0, true, 1.0, true, true};
        const std::uint64_t full = 2 * 2 * 300 * 300 * sizeof(float);
        // Trace a: seen, imported, let go of when b imports; b: seen, imported, kept.
        const std::uint64_t wantA[] = {0, full, 0}, wantB[] = {0, full, full};
        attn::Trace a, b;
        for (std::size_t round = 0; round < 3; ++round) {
            for (auto [trace, want, seed] : {std::tuple{&a, wantA[round], 30 + round}, std::tuple{&b, wantB[round], 40 + round}}) {
                const std::uint64_t before = attn::vulkan::bytesWrittenInPlaceForTesting();
                expectAgreement(vulkan(), shape, seed, *trace);
                QCOMPARE(attn::vulkan::bytesWrittenInPlaceForTesting() - before, want);
            }
        }
    }

    void resultsComeThroughTheStagingBufferWhenImportIsRefused()
    {
        const ScopedEnv refused("ATTN_VULKAN_FAULT", "no-host-import");
        const std::uint64_t before = attn::vulkan::bytesWrittenInPlaceForTesting();
        expectAgreement(vulkan(), Shape{300, 0, 16, 2, 8, 0, true, 1.0, true, true}, 300);
        QCOMPARE(attn::vulkan::bytesWrittenInPlaceForTesting(), before);
    }

    void maskedWeightsAreExactlyZeroAndRowsSumToOne()
    {
        const attn::LayerWeights weights = randomLayer(3, 12, 5, 5, true, 7);
        const attn::Tensor x = randomInputs(33, 12, 8);
        attn::Trace trace;
        vulkan().forward({x, x, weights, true, 0.3f}, trace);
        for (std::size_t h = 0; h < 3; ++h) {
            for (std::size_t i = 0; i < 33; ++i) {
                double sum = 0.0;
                for (std::size_t j = 0; j < 33; ++j) {
                    const float weight = trace.weights.at(h, i, j);
                    if (j > i)
                        QVERIFY2(weight == 0.0f, qPrintable(QStringLiteral("masked weight [%1,%2,%3] is %4").arg(h).arg(i).arg(j).arg(weight)));
                    sum += weight;
                }
                QVERIFY2(std::abs(sum - 1.0) < 1e-5, qPrintable(QStringLiteral("row [%1,%2] sums to %3").arg(h).arg(i).arg(sum)));
            }
        }
    }

    // Where the device has timestamps, every pass says its device time (-1 would hide a
    // failed read as a device without them).
    void gpuTimeIsMeasured()
    {
        const attn::LayerWeights weights = randomLayer(2, 16, 8, 8, false, 3);
        const attn::Tensor x = randomInputs(10, 16, 4);
        attn::Trace trace;
        if (attn::vulkan::Context().timestampValidBits() == 0)
            QSKIP("this device has no timestamp queries"); // lavapipe has them
        vulkan().forward({x, x, weights, false, 0.25f}, trace);
        QVERIFY2(trace.gpuMs > 0.0, qPrintable(QString::number(trace.gpuMs)));
    }
};

QTEST_GUILESS_MAIN(TestVulkanBackend)
#include "test_vulkan_backend.moc"
