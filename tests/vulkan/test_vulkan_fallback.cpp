// Every way Vulkan can fail ends on BLAS with the right numbers and a clear reason: each
// failure is forced through ATTN_VULKAN_FAULT. Also the backend choice: explicit request,
// ATTN_BACKEND, and auto not picking a CPU-only Vulkan driver.
#include "trace_compare.h"

#include "vulkan/context.h"
#include "vulkan/validation_log.h"
#include "vulkan/vulkan_backend.h"

#include <attn/backend_choice.h>
#include <attn/engine.h>

#include <QTest>

#include <memory>

using namespace vulkantest;

namespace {

attn::Request vulkanRequest()
{
    attn::Request request;
    request.text = "the cat sat on the mat today";
    request.weights = std::make_shared<attn::LayerWeights>(randomLayer(3, 24, 8, 8, true, 21));
    request.inputs = std::make_shared<attn::Tensor>(randomInputs(7, 24, 22));
    request.config.causal = true;
    request.config.temperature = 0.7f;
    request.backend = attn::BackendKind::Vulkan;
    return request;
}

// The request run on the reference backend, through the same engine path.
std::shared_ptr<const attn::Trace> referenceTrace()
{
    attn::Request request = vulkanRequest();
    request.backend = attn::BackendKind::Reference;
    return attn::Engine().run(request);
}

QString kindName(attn::BackendKind kind)
{
    return QString::fromStdString(attn::toString(kind));
}

bool vulkanAvailable(QString& why)
{
    try {
        attn::makeBackend(attn::BackendKind::Vulkan);
        return true;
    } catch (const attn::BackendFailure& failure) {
        why = QString::fromStdString(failure.what());
        return false;
    }
}

} // namespace

class TestVulkanFallback : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        qunsetenv("ATTN_VULKAN_FAULT");
        qunsetenv("ATTN_BACKEND");
        qunsetenv("ATTN_VULKAN_DEVICE");
    }

    void cleanup()
    {
        const std::vector<std::string> messages = attn::vulkan::takeValidationMessages();
        QVERIFY2(messages.empty(), messages.empty() ? "" : messages.front().c_str());
    }

    void failureFallsBackToBlas_data()
    {
        QTest::addColumn<QByteArray>("fault");
        QTest::addColumn<QString>("reasonMentions");
        QTest::addColumn<bool>("needsDriver"); // the fault point lies beyond device creation
        QTest::newRow("no loader") << QByteArray("no-loader") << QStringLiteral("libvulkan.so.1") << false;
        QTest::newRow("no device") << QByteArray("no-device") << QStringLiteral("no Vulkan device") << false;
        QTest::newRow("pipeline") << QByteArray("pipeline") << QStringLiteral("vkCreateComputePipelines returned VK_ERROR_INITIALIZATION_FAILED") << true;
        QTest::newRow("out of memory") << QByteArray("out-of-memory") << QStringLiteral("out of memory: vkAllocateMemory") << true;
        QTest::newRow("submit") << QByteArray("submit") << QStringLiteral("out of memory: vkQueueSubmit") << true;
        QTest::newRow("device lost") << QByteArray("device-lost") << QStringLiteral("GPU was lost") << true;
        // A misspelt fault is refused, naming the faults, rather than letting Vulkan run.
        QTest::newRow("misspelt fault") << QByteArray("device_lost")
                                        << QStringLiteral("\"device_lost\", which names no fault; use one of no-loader") << false;
    }

    void failureFallsBackToBlas()
    {
        QFETCH(QByteArray, fault);
        QFETCH(QString, reasonMentions);
        QFETCH(bool, needsDriver);
        QString why;
        if (needsDriver && !vulkanAvailable(why))
            QSKIP(qPrintable(QStringLiteral("no usable Vulkan here: ") + why));

        const auto expected = referenceTrace();
        std::shared_ptr<const attn::Trace> trace;
        {
            const ScopedEnv forced("ATTN_VULKAN_FAULT", fault);
            trace = attn::Engine().run(vulkanRequest());
        }
        QCOMPARE(trace->backend, std::string("blas"));
        const QString reason = QString::fromStdString(trace->fallbackReason);
        QVERIFY2(reason.startsWith(QStringLiteral("vulkan failed: ")), qPrintable(reason));
        QVERIFY2(reason.contains(reasonMentions), qPrintable(reason));
        // An injected failure says so, in place of the advice for a real one.
        if (!fault.contains('_')) {
            QVERIFY2(reason.contains(u"ATTN_VULKAN_FAULT="_qs + QString::fromLatin1(fault) + u" is set, which injects failures"_qs),
                     qPrintable(reason));
            QVERIFY2(!reason.contains(u"try fewer tokens"_qs), qPrintable(reason));
        }
        QCOMPARE(trace->gpuMs, -1.0);
        const QString difference = compareTraces(*trace, *expected);
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
    }

    // After a lost device (or a failed allocation, or a submission that failed with earlier
    // stages already queued) the same engine uses Vulkan again once the fault is gone: the
    // backend reopens its device, grows its buffers, or starts with fresh semaphores then.
    void recoversAfterTransientFailure_data()
    {
        QTest::addColumn<QByteArray>("fault");
        QTest::newRow("device lost") << QByteArray("device-lost");
        QTest::newRow("out of memory") << QByteArray("out-of-memory");
        QTest::newRow("submit") << QByteArray("submit");
    }

    void recoversAfterTransientFailure()
    {
        QFETCH(QByteArray, fault);
        QString why;
        if (!vulkanAvailable(why))
            QSKIP(qPrintable(QStringLiteral("no usable Vulkan here: ") + why));

        attn::Engine engine;
        {
            const ScopedEnv forced("ATTN_VULKAN_FAULT", fault);
            QCOMPARE(engine.run(vulkanRequest())->backend, std::string("blas"));
        }
        const auto trace = engine.run(vulkanRequest());
        QCOMPARE(trace->backend, std::string("vulkan"));
        QVERIFY2(trace->fallbackReason.empty(), trace->fallbackReason.c_str());
        const QString difference = compareTraces(*trace, *referenceTrace());
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
    }

    void badDeviceIndexIsRefusedClearly_data()
    {
        QTest::addColumn<QByteArray>("index");
        QTest::addColumn<QString>("reasonMentions");
        QTest::newRow("past the devices") << QByteArray("99") << u"ATTN_VULKAN_DEVICE is \"99\" but there"_qs;
        QTest::newRow("not a number") << QByteArray("abc") << u"ATTN_VULKAN_DEVICE is \"abc\", which is no device index"_qs;
        QTest::newRow("signed") << QByteArray("-0") << u"which is no device index"_qs;
    }

    void badDeviceIndexIsRefusedClearly()
    {
        QFETCH(QByteArray, index);
        QFETCH(QString, reasonMentions);
        QString why;
        if (!vulkanAvailable(why))
            QSKIP(qPrintable(QStringLiteral("no usable Vulkan here: ") + why));
        const ScopedEnv forced("ATTN_VULKAN_DEVICE", index);
        const auto trace = attn::Engine().run(vulkanRequest());
        QCOMPARE(trace->backend, std::string("blas"));
        QVERIFY2(QString::fromStdString(trace->fallbackReason).contains(reasonMentions), trace->fallbackReason.c_str());
        QVERIFY2(QString::fromStdString(trace->fallbackReason).contains(u"or unset it"_qs), trace->fallbackReason.c_str());
    }

    // Nobody typed a backend: the message names the variable it came from.
    void unknownEnvironmentBackendIsRefusedNamingTheVariable()
    {
        const ScopedEnv forced("ATTN_BACKEND", "bogus");
        try {
            attn::chooseBackend(attn::BackendKind::Auto);
            QFAIL("an unknown ATTN_BACKEND was accepted");
        } catch (const attn::Error& error) {
            QVERIFY2(QString::fromUtf8(error.what()).startsWith(u"ATTN_BACKEND: backend \"bogus\" is unknown"_qs), error.what());
        }
    }

    void explicitRequestWins()
    {
        const ScopedEnv forced("ATTN_BACKEND", "blas");
        QCOMPARE(kindName(attn::chooseBackend(attn::BackendKind::Vulkan)), QStringLiteral("vulkan"));
        QCOMPARE(kindName(attn::chooseBackend(attn::BackendKind::Reference)), QStringLiteral("reference"));
    }

    void environmentForcesAuto_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<int>("expected");
        QTest::newRow("vulkan") << QByteArray("vulkan") << int(attn::BackendKind::Vulkan);
        QTest::newRow("blas") << QByteArray("blas") << int(attn::BackendKind::Blas);
        QTest::newRow("reference") << QByteArray("reference") << int(attn::BackendKind::Reference);
    }

    void environmentForcesAuto()
    {
        QFETCH(QByteArray, value);
        QFETCH(int, expected);
        const ScopedEnv forced("ATTN_BACKEND", value);
        QCOMPARE(int(attn::chooseBackend(attn::BackendKind::Auto)), expected);
    }

    void onlyDiscreteAndIntegratedGpusCountForAuto_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<bool>("counts");
        QTest::newRow("discrete") << int(VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU) << true;
        QTest::newRow("integrated") << int(VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU) << true;
        QTest::newRow("virtual") << int(VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU) << false;
        QTest::newRow("cpu (lavapipe)") << int(VK_PHYSICAL_DEVICE_TYPE_CPU) << false;
        QTest::newRow("other") << int(VK_PHYSICAL_DEVICE_TYPE_OTHER) << false;
    }

    void onlyDiscreteAndIntegratedGpusCountForAuto()
    {
        QFETCH(int, type);
        QFETCH(bool, counts);
        QCOMPARE(attn::vulkan::countsAsHardwareGpu(VkPhysicalDeviceType(type)), counts);
    }

    // On this machine's own devices: where every Vulkan device is a CPU driver (lavapipe,
    // as in CI), auto runs BLAS; where one is a GPU, Vulkan.
    void autoChoosesVulkanOnlyWhereThisMachineHasAGpu()
    {
        QString why;
        if (!vulkanAvailable(why))
            QSKIP(qPrintable(u"no Vulkan device: "_qs + why));
        const ScopedEnv unforced("ATTN_BACKEND", QByteArray()); // auto as it chooses by itself
        attn::vulkan::Api api;
        const attn::vulkan::Instance instance(api, false);
        bool gpu = false;
        for (VkPhysicalDevice device : instance.physicalDevices()) {
            VkPhysicalDeviceProperties properties;
            api.vkGetPhysicalDeviceProperties(device, &properties);
            gpu = gpu || properties.deviceType == VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU
                  || properties.deviceType == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU;
        }
        QCOMPARE(kindName(attn::chooseBackend(attn::BackendKind::Auto)), gpu ? u"vulkan"_qs : u"blas"_qs);
    }

    void autoRequestRunsAndReportsItsBackend()
    {
        attn::Request request = vulkanRequest();
        request.backend = attn::BackendKind::Auto;
        const auto trace = attn::Engine().run(request);
        const std::string expected = attn::vulkanHardwareGpuPresent() ? "vulkan" : "blas";
        QCOMPARE(trace->backend, expected);
        const QString difference = compareTraces(*trace, *referenceTrace());
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
    }
};

QTEST_GUILESS_MAIN(TestVulkanFallback)
#include "test_vulkan_fallback.moc"
