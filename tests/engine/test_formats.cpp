// The engine's file formats: .npy (read and write) and .safetensors (read, and one
// attention layer from it). Good files come from numpy (committed fixtures, see
// tests/fixtures/formats/make_fixtures.py) or are assembled here byte by byte; every
// malformed file is written into a temporary folder and must be refused with an
// attn::Error that names the file and the problem.
#include "../declared_files.h"

#include "attn/error.h"
#include "attn/npy.h"
#include "attn/safetensors.h"

#include <QByteArrayList>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <bit>
#include <cfloat>
#include <cmath>
#include <functional>
#include <limits>

namespace {

// One tensor of a .safetensors file under construction.
struct TensorSpec {
    QByteArray name;
    QByteArray dtype;
    QList<qint64> shape;
    QByteArray data;
};

QByteArray le16(quint16 v)
{
    const quint16 le = qToLittleEndian(v);
    return QByteArray(reinterpret_cast<const char*>(&le), 2);
}
QByteArray le32(quint32 v)
{
    const quint32 le = qToLittleEndian(v);
    return QByteArray(reinterpret_cast<const char*>(&le), 4);
}
QByteArray le64(quint64 v)
{
    const quint64 le = qToLittleEndian(v);
    return QByteArray(reinterpret_cast<const char*>(&le), 8);
}
QByteArray f32s(std::initializer_list<float> values)
{
    QByteArray out;
    for (float v : values)
        out += le32(std::bit_cast<quint32>(v));
    return out;
}
QByteArray f64s(std::initializer_list<double> values)
{
    QByteArray out;
    for (double v : values)
        out += le64(std::bit_cast<quint64>(v));
    return out;
}
QByteArray halves(std::initializer_list<quint16> bits)
{
    QByteArray out;
    for (quint16 b : bits)
        out += le16(b);
    return out;
}

// A .npy file as numpy lays it out, from the header dict text and the raw data.
QByteArray npy(const QByteArray& dict, const QByteArray& data, char major = 1)
{
    const QByteArray text = dict + '\n';
    QByteArray out("\x93NUMPY", 6);
    out += major;
    out += char(0);
    out += major == 1 ? le16(quint16(text.size())) : le32(quint32(text.size()));
    return out + text + data;
}
QByteArray dict(const QByteArray& descr, const QByteArray& shape, const QByteArray& fortran = "False")
{
    return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
}

// A .safetensors file from its JSON header text and data section.
QByteArray rawSafetensors(const QByteArray& header, const QByteArray& data)
{
    return le64(quint64(header.size())) + header + data;
}

// A well-formed .safetensors file: offsets follow the order of `tensors`.
QByteArray safetensors(const QList<TensorSpec>& tensors, const QJsonObject& metadata = {})
{
    QJsonObject header;
    QByteArray data;
    for (const TensorSpec& t : tensors) {
        QJsonArray shape;
        for (qint64 d : t.shape)
            shape.append(d);
        header.insert(QString::fromLatin1(t.name),
                      QJsonObject{{QStringLiteral("dtype"), QString::fromLatin1(t.dtype)},
                                  {QStringLiteral("shape"), shape},
                                  {QStringLiteral("data_offsets"), QJsonArray{qint64(data.size()), qint64(data.size() + t.data.size())}}});
        data += t.data;
    }
    if (!metadata.isEmpty())
        header.insert(QStringLiteral("__metadata__"), metadata);
    return rawSafetensors(QJsonDocument(header).toJson(QJsonDocument::Compact), data);
}

// seed, seed + 0.125, seed + 0.25, ...: values that differ per tensor and per element.
attn::FloatStorage f32Values(int seed, qint64 count)
{
    attn::FloatStorage values;
    for (qint64 i = 0; i < count; ++i)
        values.push_back(float(seed) + 0.125f * float(i));
    return values;
}

TensorSpec f32Tensor(const QByteArray& name, const QList<qint64>& shape, int seed)
{
    qint64 count = 1;
    for (qint64 d : shape)
        count *= d;
    QByteArray data;
    for (float v : f32Values(seed, count))
        data += le32(std::bit_cast<quint32>(v));
    return {name, "F32", shape, data};
}

QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        qFatal("cannot write the test file %s", qPrintable(path));
    return path;
}

QByteArray readAll(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

// Runs `call` and checks that it throws attn::Error mentioning `path` and every keyword.
void expectError(const std::function<void()>& call, const QString& path, const QByteArrayList& keywords)
{
    try {
        call();
    } catch (const attn::Error& error) {
        const QByteArray message(error.what());
        QVERIFY2(message.contains(path.toUtf8()), QByteArray("the message does not name the file: " + message).constData());
        for (const QByteArray& keyword : keywords)
            QVERIFY2(message.contains(keyword), QByteArray("the message lacks \"" + keyword + "\": " + message).constData());
        return;
    } catch (const std::exception& other) { // std::bad_alloc: the file was read, not refused
        QFAIL(QByteArray(QByteArray("not an attn::Error but: ") + other.what()).constData());
    }
    QFAIL("no attn::Error was thrown");
}

quint32 bitsOf(float value) { return std::bit_cast<quint32>(value); }

attn::Tensor patternTensor(std::vector<std::size_t> shape)
{
    attn::Tensor t(std::move(shape));
    for (std::size_t i = 0; i < t.size(); ++i)
        t.data[i] = float(i) * 0.37f - 1.2f;
    return t;
}

std::string fixture(const char* name)
{
    return QDir(QStringLiteral(ATTN_FIXTURES_DIR "/formats")).filePath(QString::fromLatin1(name)).toStdString();
}

} // namespace

Q_DECLARE_METATYPE(TensorSpec)

class TestFormats : public QObject {
    Q_OBJECT

private slots:
    // ---- .npy ----

    void npyRoundTripKeepsShapeAndBits_data()
    {
        QTest::addColumn<QList<qint64>>("shape");
        QTest::newRow("scalar") << QList<qint64>{};
        QTest::newRow("1-D") << QList<qint64>{7};
        QTest::newRow("2-D") << QList<qint64>{3, 5};
        QTest::newRow("3-D") << QList<qint64>{2, 3, 4};
        QTest::newRow("4-D") << QList<qint64>{2, 1, 3, 2};
        QTest::newRow("empty") << QList<qint64>{0, 3};
    }
    void npyRoundTripKeepsShapeAndBits()
    {
        QFETCH(QList<qint64>, shape);
        attn::Tensor tensor = patternTensor(std::vector<std::size_t>(shape.begin(), shape.end()));
        if (tensor.size() >= 3) { // extremes survive unchanged
            tensor.data[0] = FLT_MAX;
            tensor.data[1] = std::numeric_limits<float>::denorm_min();
            tensor.data[2] = -0.0f;
        }
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("round.npy")).toStdString();
        attn::writeNpy(path, tensor);
        const attn::Tensor back = attn::readNpy(path);
        QCOMPARE(back.shape, tensor.shape);
        QCOMPARE(back.size(), tensor.size());
        for (std::size_t i = 0; i < tensor.size(); ++i)
            QCOMPARE(bitsOf(back.data[i]), bitsOf(tensor.data[i]));
    }

    // writeNpy produces the very bytes numpy.save wrote for the same array.
    void npyWriteMatchesNumpyBytes_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QList<qint64>>("shape");
        QTest::addColumn<QList<float>>("values");
        QTest::newRow("2x3") << QStringLiteral("float32_2x3.npy") << QList<qint64>{2, 3}
                             << QList<float>{1.5f, -2.25f, 3.0f, 0.125f, 4.0f, -0.5f};
        QTest::newRow("1-D") << QStringLiteral("float32_1d.npy") << QList<qint64>{5} << QList<float>{1, 2, 3, 4, 5};
        QTest::newRow("scalar") << QStringLiteral("float32_scalar.npy") << QList<qint64>{} << QList<float>{7.5f};
        QList<float> arange;
        for (int i = 0; i < 24; ++i)
            arange << float(i);
        QTest::newRow("2x3x4") << QStringLiteral("float32_3d.npy") << QList<qint64>{2, 3, 4} << arange;
        QTest::newRow("16-D, header past 128 bytes")
            << QStringLiteral("float32_16d.npy") << QList<qint64>{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2}
            << QList<float>{0.5f, -0.75f};
    }
    void npyWriteMatchesNumpyBytes()
    {
        QFETCH(QString, file);
        QFETCH(QList<qint64>, shape);
        QFETCH(QList<float>, values);
        attn::Tensor tensor(std::vector<std::size_t>(shape.begin(), shape.end()));
        tensor.data.assign(values.begin(), values.end());
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("ours.npy"));
        attn::writeNpy(path.toStdString(), tensor);
        const QByteArray expected = readAll(QString::fromStdString(fixture(file.toLatin1().constData())));
        QVERIFY(!expected.isEmpty());
        QCOMPARE(readAll(path), expected);
    }

    void npyReadsFilesWrittenByNumpy_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("float64 v1.0") << QStringLiteral("float64_2x3.npy");
        QTest::newRow("float64 v2.0") << QStringLiteral("float64_2x3_v2.npy");
        QTest::newRow("float32 v3.0") << QStringLiteral("float32_2x3_v3.npy");
        QTest::newRow("float32 v1.0") << QStringLiteral("float32_2x3.npy");
    }
    void npyReadsFilesWrittenByNumpy()
    {
        QFETCH(QString, file);
        const attn::Tensor tensor = attn::readNpy(fixture(file.toLatin1().constData()));
        QCOMPARE(tensor.shape, (std::vector<std::size_t>{2, 3}));
        const attn::FloatStorage expected{1.5f, -2.25f, 3.0f, 0.125f, 4.0f, -0.5f};
        QCOMPARE(tensor.data, expected);
    }

    // The header is a Python dict: key order, quotes, spacing and commas may vary.
    void npyParsesHeaderVariants_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QList<qint64>>("shape");
        QTest::newRow("numpy's own") << dict("<f4", "(2, 3)") << QList<qint64>{2, 3};
        QTest::newRow("keys reordered") << QByteArray("{'shape': (2, 3), 'descr': '<f4', 'fortran_order': False}")
                                        << QList<qint64>{2, 3};
        QTest::newRow("double quotes, no spaces") << QByteArray("{\"descr\":\"<f4\",\"fortran_order\":False,\"shape\":(6,)}")
                                                  << QList<qint64>{6};
        QTest::newRow("tuple with trailing comma") << dict("<f4", "(1, 2, 3,)") << QList<qint64>{1, 2, 3};
        QTest::newRow("python 2 longs") << dict("<f4", "(2L, 3L)") << QList<qint64>{2, 3};
        QTest::newRow("padding spaces") << QByteArray("  { 'descr' : '<f4' , 'fortran_order' : False , 'shape' : ( 3 , 2 ) }      ")
                                        << QList<qint64>{3, 2};
        QTest::newRow("scalar") << dict("<f4", "()") << QList<qint64>{};
    }
    void npyParsesHeaderVariants()
    {
        QFETCH(QByteArray, header);
        QFETCH(QList<qint64>, shape);
        std::vector<std::size_t> dims(shape.begin(), shape.end());
        QByteArray data;
        for (std::size_t i = 0; i < attn::Tensor::count(dims); ++i)
            data += f32s({float(i) + 0.5f});
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("variant.npy"), npy(header, data));
        const attn::Tensor tensor = attn::readNpy(path.toStdString());
        QCOMPARE(tensor.shape, dims);
        for (std::size_t i = 0; i < tensor.size(); ++i)
            QCOMPARE(tensor.data[i], float(i) + 0.5f);
    }

    void npyRefusesMalformedFiles_data()
    {
        QTest::addColumn<QByteArray>("kind"); // "file", "missing" or "folder"
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QByteArrayList>("keywords");
        const QByteArray six = f32s({1, 2, 3, 4, 5, 6});
        const QByteArray magic("\x93NUMPY", 6);

        QTest::newRow("missing file") << QByteArray("missing") << QByteArray() << QByteArrayList{"cannot open"};
        QTest::newRow("folder") << QByteArray("folder") << QByteArray() << QByteArrayList{"is a folder, not a file"};
        QTest::newRow("empty file") << QByteArray("file") << QByteArray() << QByteArrayList{"empty"};
        QTest::newRow("bad magic") << QByteArray("file") << ("\x93NUMPX" + npy(dict("<f4", "(6,)"), six).mid(6))
                                   << QByteArrayList{"bad magic"};
        QTest::newRow("text file") << QByteArray("file") << QByteArray("hello, world\n") << QByteArrayList{"bad magic"};
        QTest::newRow("cut inside magic") << QByteArray("file") << QByteArray("\x93NUM", 4) << QByteArrayList{"truncated header"};
        QTest::newRow("cut before header length") << QByteArray("file") << (magic + QByteArray("\x01\x00\x10", 3))
                                                  << QByteArrayList{"truncated header"};
        QTest::newRow("v2 cut inside header length") << QByteArray("file") << (magic + QByteArray("\x02\x00\x10\x00", 4))
                                                     << QByteArrayList{"truncated header"};
        QTest::newRow("header length past the end") << QByteArray("file")
                                                    << (magic + QByteArray("\x01\x00", 2) + le16(500) + dict("<f4", "(1,)"))
                                                    << QByteArrayList{"header length 500", "past the end"};
        QTest::newRow("v2 header length past the end") << QByteArray("file")
                                                       << (magic + QByteArray("\x02\x00", 2) + le32(0xffffffffu) + "{}")
                                                       << QByteArrayList{"past the end"};
        QTest::newRow("unknown version") << QByteArray("file") << npy(dict("<f4", "(6,)"), six, 4)
                                         << QByteArrayList{"version 4.0"};
        QTest::newRow("data truncated") << QByteArray("file") << npy(dict("<f4", "(2, 3)"), six.left(20))
                                        << QByteArrayList{"truncated", "needs 24 bytes", "holds 20"};
        QTest::newRow("float64 data truncated") << QByteArray("file") << npy(dict("<f8", "(2, 3)"), six)
                                                << QByteArrayList{"truncated", "needs 48 bytes"};
        QTest::newRow("extra data") << QByteArray("file") << npy(dict("<f4", "(5,)"), six)
                                    << QByteArrayList{"4 extra bytes"};
        QTest::newRow("int32") << QByteArray("file") << npy(dict("<i4", "(6,)"), six) << QByteArrayList{"dtype '<i4'"};
        QTest::newRow("big-endian float32") << QByteArray("file") << npy(dict(">f4", "(6,)"), six)
                                            << QByteArrayList{"dtype '>f4'"};
        QTest::newRow("bool") << QByteArray("file") << npy(dict("|b1", "(6,)"), six) << QByteArrayList{"dtype '|b1'"};
        QTest::newRow("float16") << QByteArray("file") << npy(dict("<f2", "(12,)"), six) << QByteArrayList{"dtype '<f2'"};
        QTest::newRow("structured") << QByteArray("file")
                                    << npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (6,), }", six)
                                    << QByteArrayList{"structured"};
        QTest::newRow("fortran order") << QByteArray("file") << npy(dict("<f4", "(2, 3)", "True"), six)
                                       << QByteArrayList{"Fortran order"};
        QTest::newRow("NaN") << QByteArray("file")
                             << npy(dict("<f4", "(2, 3)"), f32s({0, 1, 2, std::nanf(""), 4, 5}))
                             << QByteArrayList{"NaN at index [1, 0]"};
        QTest::newRow("+Inf") << QByteArray("file")
                              << npy(dict("<f4", "(6,)"), f32s({0, 1, HUGE_VALF, 3, 4, 5}))
                              << QByteArrayList{"+Inf at index [2]"};
        QTest::newRow("float64 -Inf") << QByteArray("file") << npy(dict("<f8", "(2,)"), f64s({1.0, -HUGE_VAL}))
                                      << QByteArrayList{"-Inf at index [1]"};
        QTest::newRow("float64 beyond float32") << QByteArray("file") << npy(dict("<f8", "(2,)"), f64s({1e300, 1.0}))
                                                << QByteArrayList{"outside float32's range", "scale the data to fit float32"};
        QTest::newRow("shape overflows") << QByteArray("file")
                                         << npy(dict("<f4", "(4611686018427387904, 4611686018427387904)"), six)
                                         << QByteArrayList{"absurd", "overflows"};
        QTest::newRow("bytes overflow") << QByteArray("file") << npy(dict("<f8", "(4611686018427387904,)"), six)
                                        << QByteArrayList{"overflows"};
        QTest::newRow("dimension past 64 bits") << QByteArray("file") << npy(dict("<f4", "(99999999999999999999999,)"), six)
                                                << QByteArrayList{"too large"};
        QTest::newRow("shape not a tuple") << QByteArray("file")
                                           << npy("{'descr': '<f4', 'fortran_order': False, 'shape': (6)}", six)
                                           << QByteArrayList{"not a tuple"};
        QTest::newRow("negative dimension") << QByteArray("file") << npy(dict("<f4", "(-6,)"), six)
                                            << QByteArrayList{"non-negative"};
        QTest::newRow("missing shape") << QByteArray("file") << npy("{'descr': '<f4', 'fortran_order': False}", six)
                                       << QByteArrayList{"lacks the key 'shape'"};
        QTest::newRow("unexpected key") << QByteArray("file")
                                        << npy("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'x': 1}", six)
                                        << QByteArrayList{"unexpected key 'x'"};
        QTest::newRow("duplicate key") << QByteArray("file")
                                       << npy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (6,)}", six)
                                       << QByteArrayList{"'descr' appears twice"};
        QTest::newRow("fortran_order not a bool") << QByteArray("file") << npy(dict("<f4", "(6,)", "0"), six)
                                                  << QByteArrayList{"True or False"};
        QTest::newRow("unclosed dict") << QByteArray("file") << npy("{'descr': '<f4', 'fortran_order': False, 'shape': (6,)", six)
                                       << QByteArrayList{"malformed .npy header"};
        QTest::newRow("unclosed string") << QByteArray("file") << npy("{'descr: '<f4'}", six)
                                         << QByteArrayList{"malformed .npy header"};
        QTest::newRow("text after the dict") << QByteArray("file") << npy(dict("<f4", "(6,)") + " junk", six)
                                             << QByteArrayList{"after the closing brace"};
    }
    void npyRefusesMalformedFiles()
    {
        QFETCH(QByteArray, kind);
        QFETCH(QByteArray, bytes);
        QFETCH(QByteArrayList, keywords);
        QTemporaryDir dir;
        QString path = dir.filePath(QStringLiteral("broken.npy"));
        if (kind == "file")
            path = writeFile(dir, QStringLiteral("broken.npy"), bytes);
        else if (kind == "folder")
            QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("broken.npy")));
        expectError([&] { attn::readNpy(path.toStdString()); }, path, keywords);
    }

    // Every strict prefix of a good file is refused cleanly: no crash, no read past the end.
    void npyRefusesEveryTruncation()
    {
        const QByteArray good = readAll(QString::fromStdString(fixture("float64_2x3.npy")));
        QVERIFY(good.size() > 128);
        QTemporaryDir dir;
        for (qsizetype length = 0; length < good.size(); ++length) {
            const QString path = writeFile(dir, QStringLiteral("cut.npy"), good.left(length));
            expectError([&] { attn::readNpy(path.toStdString()); }, path, {});
            if (QTest::currentTestFailed()) {
                qWarning("the file cut to %lld bytes was not refused", qlonglong(length));
                return;
            }
        }
    }

    // The shape comes from the header alone: 6.1 GiB declared, none of it read. A file
    // readNpy refuses for its header or its size is refused the same way.
    void npyShapeIsReadFromTheHeaderAlone()
    {
        QTemporaryDir dir;
        const QString path = declared::writeNpy(dir.filePath(QStringLiteral("x.npy")), 200000, 8192);
        const declared::AddressSpaceCap cap(QFileInfo(path).size());
        QCOMPARE(attn::readNpyShape(path.toStdString()), (std::vector<std::size_t>{200000, 8192}));

        QFile declaredFile(path);
        QVERIFY(declaredFile.open(QIODevice::ReadOnly));
        const QString cut = writeFile(dir, QStringLiteral("cut.npy"), declaredFile.read(200));
        expectError([&] { attn::readNpyShape(cut.toStdString()); }, cut, {"data is truncated", "(200000, 8192)"});
    }

    void npyWriteRefusesBadTargets()
    {
        QTemporaryDir dir;
        const QString noFolder = dir.filePath(QStringLiteral("no/such/folder/out.npy"));
        expectError([&] { attn::writeNpy(noFolder.toStdString(), patternTensor({2, 2})); }, noFolder, {"cannot write"});

        attn::Tensor inconsistent = patternTensor({2, 2});
        inconsistent.data.pop_back();
        const QString path = dir.filePath(QStringLiteral("inconsistent.npy"));
        expectError([&] { attn::writeNpy(path.toStdString(), inconsistent); }, path, {"3 values", "[2 x 2]"});
        QVERIFY(!QFile::exists(path));
    }

    // ---- .safetensors ----

    void safetensorsConvertsEveryDtype_data()
    {
        QTest::addColumn<QByteArray>("dtype");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<float>("expected");
        // Expected values follow from the IEEE definitions, not from the reader.
        QTest::newRow("F16 1.0") << QByteArray("F16") << halves({0x3C00}) << 1.0f;
        QTest::newRow("F16 -2.5") << QByteArray("F16") << halves({0xC100}) << -2.5f;
        QTest::newRow("F16 65504 (largest)") << QByteArray("F16") << halves({0x7BFF}) << 65504.0f;
        QTest::newRow("F16 smallest subnormal") << QByteArray("F16") << halves({0x0001}) << std::ldexp(1.0f, -24);
        QTest::newRow("F16 negative subnormal") << QByteArray("F16") << halves({0x8001}) << -std::ldexp(1.0f, -24);
        QTest::newRow("F16 largest subnormal") << QByteArray("F16") << halves({0x03FF}) << std::ldexp(1023.0f, -24);
        QTest::newRow("F16 smallest normal") << QByteArray("F16") << halves({0x0400}) << std::ldexp(1.0f, -14);
        QTest::newRow("F16 one third") << QByteArray("F16") << halves({0x3555}) << std::ldexp(1365.0f, -12);
        QTest::newRow("F16 zero") << QByteArray("F16") << halves({0x0000}) << 0.0f;
        QTest::newRow("F16 negative zero") << QByteArray("F16") << halves({0x8000}) << -0.0f;
        QTest::newRow("BF16 1.0") << QByteArray("BF16") << halves({0x3F80}) << 1.0f;
        QTest::newRow("BF16 -2.5") << QByteArray("BF16") << halves({0xC020}) << -2.5f;
        // 65504 is not a bfloat16; 0x477F (65280) and 0x4780 (65536) are its neighbours.
        QTest::newRow("BF16 65280") << QByteArray("BF16") << halves({0x477F}) << 65280.0f;
        QTest::newRow("BF16 65536") << QByteArray("BF16") << halves({0x4780}) << 65536.0f;
        QTest::newRow("BF16 smallest subnormal") << QByteArray("BF16") << halves({0x0001}) << std::ldexp(1.0f, -133);
        QTest::newRow("BF16 largest") << QByteArray("BF16") << halves({0x7F7F}) << std::ldexp(255.0f, 120);
        QTest::newRow("F32 -2.5") << QByteArray("F32") << f32s({-2.5f}) << -2.5f;
        QTest::newRow("F32 denormal") << QByteArray("F32") << f32s({std::numeric_limits<float>::denorm_min()})
                                      << std::numeric_limits<float>::denorm_min();
        QTest::newRow("F64 65504") << QByteArray("F64") << f64s({65504.0}) << 65504.0f;
        QTest::newRow("F64 0.1 rounds to float") << QByteArray("F64") << f64s({0.1}) << 0.1f;
    }
    void safetensorsConvertsEveryDtype()
    {
        QFETCH(QByteArray, dtype);
        QFETCH(QByteArray, bytes);
        QFETCH(float, expected);
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("one.safetensors"), safetensors({{"x", dtype, {1}, bytes}}));
        const auto tensors = attn::readSafetensors(path.toStdString());
        QCOMPARE(tensors.size(), std::size_t(1));
        const attn::Tensor& x = tensors.at("x");
        QCOMPARE(x.shape, (std::vector<std::size_t>{1}));
        QCOMPARE(bitsOf(x.data[0]), bitsOf(expected)); // exact, and tells -0 from +0
    }

    // Several tensors of mixed dtypes and shapes at unaligned offsets, with metadata.
    void safetensorsReadsEveryTensorAndSkipsMetadata()
    {
        const QList<TensorSpec> specs{
            {"a.half", "F16", {2, 2}, halves({0x3C00, 0xC100, 0x0001, 0x7BFF})},
            {"b.scalar", "F32", {}, f32s({3.25f})},
            {"c.odd", "F32", {3}, f32s({-1.0f, 0.5f, 8.0f})},
            {"d.empty", "F32", {0, 4}, {}},
            {"e.bf16", "BF16", {1, 3}, halves({0x3F80, 0xC020, 0x4000})},
        };
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("many.safetensors"),
                                       safetensors(specs, QJsonObject{{QStringLiteral("format"), QStringLiteral("pt")}}));
        const auto tensors = attn::readSafetensors(path.toStdString());
        QCOMPARE(tensors.size(), std::size_t(5));
        QVERIFY(!tensors.contains("__metadata__"));
        QCOMPARE(tensors.at("a.half").shape, (std::vector<std::size_t>{2, 2}));
        QCOMPARE(tensors.at("a.half").data, (attn::FloatStorage{1.0f, -2.5f, std::ldexp(1.0f, -24), 65504.0f}));
        QCOMPARE(tensors.at("b.scalar").shape, std::vector<std::size_t>{});
        QCOMPARE(tensors.at("b.scalar").data, attn::FloatStorage{3.25f});
        QCOMPARE(tensors.at("c.odd").data, (attn::FloatStorage{-1.0f, 0.5f, 8.0f}));
        QCOMPARE(tensors.at("d.empty").shape, (std::vector<std::size_t>{0, 4}));
        QVERIFY(tensors.at("d.empty").data.empty());
        QCOMPARE(tensors.at("e.bf16").data, (attn::FloatStorage{1.0f, -2.5f, 2.0f}));
    }

    void safetensorsRefusesEveryTruncation()
    {
        const QByteArray good = safetensors({{"a", "F16", {3}, halves({0x3C00, 0x4000, 0x4200})},
                                             {"b", "F32", {2, 2}, f32s({1, 2, 3, 4})}});
        QTemporaryDir dir;
        for (qsizetype length = 0; length < good.size(); ++length) {
            const QString path = writeFile(dir, QStringLiteral("cut.safetensors"), good.left(length));
            expectError([&] { attn::readSafetensors(path.toStdString()); }, path, {});
            if (QTest::currentTestFailed()) {
                qWarning("the file cut to %lld bytes was not refused", qlonglong(length));
                return;
            }
        }
        const QString whole = writeFile(dir, QStringLiteral("whole.safetensors"), good);
        QCOMPARE(attn::readSafetensors(whole.toStdString()).size(), std::size_t(2));
    }

    void safetensorsReadsAFileWithNoTensors()
    {
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("none.safetensors"), rawSafetensors("{}", {}));
        QVERIFY(attn::readSafetensors(path.toStdString()).empty());
    }

    void safetensorsRefusesMalformedFiles_data()
    {
        QTest::addColumn<QByteArray>("bytes"); // empty and "missing" row: no file at all
        QTest::addColumn<bool>("create");
        QTest::addColumn<QByteArrayList>("keywords");
        const QByteArray eight = f32s({1, 2});
        auto one = [](const QByteArray& entry) { return QByteArray("{\"w\":" + entry + "}"); };

        QTest::newRow("missing file") << QByteArray() << false << QByteArrayList{"cannot open"};
        QTest::newRow("empty file") << QByteArray() << true << QByteArrayList{"too short", "0 bytes"};
        QTest::newRow("shorter than 8 bytes") << QByteArray("\x02\x00\x00\x00\x00", 5) << true
                                              << QByteArrayList{"too short", "5 bytes"};
        QTest::newRow("header length past the end") << (le64(1000) + "{}") << true
                                                    << QByteArrayList{"header length 1000", "past the end"};
        QTest::newRow("absurd header length") << (le64(quint64(1) << 40) + "{}") << true
                                              << QByteArrayList{"absurd", "100 MB"};
        QTest::newRow("all-ones header length") << (le64(~quint64(0)) + "{}") << true << QByteArrayList{"absurd"};
        // Files of the neighbouring formats, given in their place, are named for what they are.
        QTest::newRow("a NumPy file") << QByteArray("\x93NUMPY\x01\x00\x76\x00{'descr': '<f4'}", 26) << true
                                      << QByteArrayList{"NumPy .npy file", "--inputs"};
        QTest::newRow("a zip archive, as torch.save writes") << QByteArray("PK\x03\x04\x14\x00\x00\x00\x08\x00", 10) << true
                                                             << QByteArrayList{"zip archive", "torch.save", "safetensors"};
        QTest::newRow("invalid JSON") << rawSafetensors("{\"w\": {\"dtype\": ", eight) << true
                                      << QByteArrayList{"not valid JSON"};
        QTest::newRow("empty header") << rawSafetensors("", eight) << true << QByteArrayList{"not valid JSON"};
        // Said in the reader's words: once with nlohmann's "[json.exception.…]" tag, or not
        // caught at all as a number out of range.
        QTest::newRow("invalid JSON, in words") << rawSafetensors("{\"w\": {\"dtype\": ", eight) << true
                                                << QByteArrayList{"not valid JSON (parse error at line 1"};
        QTest::newRow("a number past double's range")
            << rawSafetensors(one("{\"dtype\":\"F32\",\"shape\":[1e400],\"data_offsets\":[0,8]}"), eight) << true
            << QByteArrayList{"not valid JSON (number overflow parsing '1e400')"};
        QTest::newRow("JSON list") << rawSafetensors("[1, 2]", eight) << true << QByteArrayList{"not an object"};
        QTest::newRow("entry not an object") << rawSafetensors(one("3"), eight) << true
                                             << QByteArrayList{"'w'", "not a JSON object"};
        QTest::newRow("no dtype") << rawSafetensors(one("{\"shape\":[2],\"data_offsets\":[0,8]}"), eight) << true
                                  << QByteArrayList{"'w'", "missing the field 'dtype'"};
        QTest::newRow("no shape") << rawSafetensors(one("{\"dtype\":\"F32\",\"data_offsets\":[0,8]}"), eight) << true
                                  << QByteArrayList{"'w'", "missing the field 'shape'"};
        QTest::newRow("no data_offsets") << rawSafetensors(one("{\"dtype\":\"F32\",\"shape\":[2]}"), eight) << true
                                         << QByteArrayList{"'w'", "missing the field 'data_offsets'"};
        QTest::newRow("dtype I32") << rawSafetensors(one("{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}"), eight)
                                   << true << QByteArrayList{"'w'", "dtype I32", "not supported"};
        QTest::newRow("dtype F8_E4M3") << rawSafetensors(one("{\"dtype\":\"F8_E4M3\",\"shape\":[8],\"data_offsets\":[0,8]}"), eight)
                                       << true << QByteArrayList{"dtype F8_E4M3"};
        QTest::newRow("dtype not a string") << rawSafetensors(one("{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}"), eight)
                                            << true << QByteArrayList{"dtype that is not a string"};
        QTest::newRow("negative dimension") << rawSafetensors(one("{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}"), eight)
                                            << true << QByteArrayList{"non-negative"};
        QTest::newRow("fractional dimension") << rawSafetensors(one("{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}"), eight)
                                              << true << QByteArrayList{"non-negative whole number"};
        QTest::newRow("one offset") << rawSafetensors(one("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8]}"), eight)
                                    << true << QByteArrayList{"data_offsets [8]"};
        QTest::newRow("offsets past the data") << rawSafetensors(one("{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}"), eight)
                                               << true << QByteArrayList{"[0, 16]", "outside the data section of 8 bytes"};
        QTest::newRow("huge offsets") << rawSafetensors(one("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[18446744073709551608,18446744073709551615]}"), eight)
                                      << true << QByteArrayList{"outside the data section"};
        QTest::newRow("end before begin") << rawSafetensors(one("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}"), eight)
                                          << true << QByteArrayList{"[8, 4]", "before its begin"};
        QTest::newRow("bytes disagree with shape") << rawSafetensors(one("{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}"), eight)
                                                   << true << QByteArrayList{"holds 8 bytes", "needs 12", "disagrees"};
        QTest::newRow("bytes disagree with F16 shape") << rawSafetensors(one("{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,8]}"), eight)
                                                       << true << QByteArrayList{"holds 8 bytes", "needs 4"};
        QTest::newRow("shape overflows") << rawSafetensors(one("{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}"), eight)
                                         << true << QByteArrayList{"overflows"};
        QTest::newRow("overlapping neighbours")
            << rawSafetensors("{\"first\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                              "\"second\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", f32s({1, 2, 3}))
            << true << QByteArrayList{"'first' [0, 8]", "'second' [4, 12]", "overlap"};
        QTest::newRow("one tensor inside another")
            << rawSafetensors("{\"big\":{\"dtype\":\"F32\",\"shape\":[6],\"data_offsets\":[0,24]},"
                              "\"mid\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
                              "\"late\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]}}", f32s({1, 2, 3, 4, 5, 6}))
            << true << QByteArrayList{"'big'", "'mid'", "overlap"};
        QTest::newRow("same bytes twice")
            << rawSafetensors("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                              "\"y\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]}}", eight)
            << true << QByteArrayList{"'x'", "'y'", "overlap"};
        // JSON would keep the second silently.
        QTest::newRow("one name twice")
            << rawSafetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                              "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", f32s({1, 2, 3, 4}))
            << true << QByteArrayList{"two entries named 'w'", "corrupt"};
        QTest::newRow("bytes between tensors")
            << rawSafetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                              "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}", f32s({1, 2, 3, 4, 5}))
            << true << QByteArrayList{"bytes 8 to 12", "before tensor 'b' [12, 20]", "belong to no tensor"};
        QTest::newRow("bytes after the last tensor")
            << rawSafetensors(one("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}"), f32s({1, 2, 3}))
            << true << QByteArrayList{"4 bytes after the last tensor"};
        QTest::newRow("F32 NaN") << safetensors({{"w", "F32", {2, 2}, f32s({0, std::nanf(""), 1, 2})}}) << true
                                 << QByteArrayList{"tensor 'w'", "NaN at index [0, 1]"};
        QTest::newRow("F16 +Inf") << safetensors({{"h", "F16", {3}, halves({0x3C00, 0x3C00, 0x7C00})}}) << true
                                  << QByteArrayList{"tensor 'h'", "+Inf at index [2]"};
        QTest::newRow("F16 NaN") << safetensors({{"h", "F16", {1}, halves({0x7E00})}}) << true
                                 << QByteArrayList{"tensor 'h'", "NaN at index [0]"};
        QTest::newRow("BF16 -Inf") << safetensors({{"b", "BF16", {2, 1}, halves({0x3F80, 0xFF80})}}) << true
                                   << QByteArrayList{"tensor 'b'", "-Inf at index [1, 0]"};
        QTest::newRow("F64 beyond float32") << safetensors({{"d", "F64", {1}, f64s({-1e300})}}) << true
                                            << QByteArrayList{"tensor 'd'", "outside float32's range"};
    }
    void safetensorsRefusesMalformedFiles()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, create);
        QFETCH(QByteArrayList, keywords);
        QTemporaryDir dir;
        QString path = dir.filePath(QStringLiteral("broken.safetensors"));
        if (create)
            path = writeFile(dir, QStringLiteral("broken.safetensors"), bytes);
        expectError([&] { attn::readSafetensors(path.toStdString()); }, path, keywords);
    }

    // ---- one attention layer ----

    void layerWeightsReadsProjections_data()
    {
        QTest::addColumn<int>("heads");
        QTest::addColumn<int>("dModel");
        QTest::addColumn<int>("dK");
        QTest::addColumn<int>("dV");
        QTest::addColumn<bool>("withBias");
        QTest::newRow("2 heads, no bias") << 2 << 4 << 3 << 3 << false;
        QTest::newRow("2 heads, bias") << 2 << 4 << 3 << 3 << true;
        QTest::newRow("3 heads, d_v != d_k, bias") << 3 << 5 << 2 << 4 << true;
        QTest::newRow("1 head") << 1 << 6 << 6 << 6 << false;
    }
    void layerWeightsReadsProjections()
    {
        QFETCH(int, heads);
        QFETCH(int, dModel);
        QFETCH(int, dK);
        QFETCH(int, dV);
        QFETCH(bool, withBias);
        const qint64 qk = heads * dK, hv = heads * dV;
        QList<TensorSpec> specs{f32Tensor("q_proj.weight", {qk, dModel}, 1), f32Tensor("k_proj.weight", {qk, dModel}, 2),
                                f32Tensor("v_proj.weight", {hv, dModel}, 3), f32Tensor("out_proj.weight", {dModel, hv}, 4)};
        if (withBias)
            specs << f32Tensor("q_proj.bias", {qk}, 5) << f32Tensor("k_proj.bias", {qk}, 6)
                  << f32Tensor("v_proj.bias", {hv}, 7) << f32Tensor("out_proj.bias", {dModel}, 8);
        specs << f32Tensor("unrelated.weight", {2}, 9); // other tensors are ignored
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("layer.safetensors"), safetensors(specs));

        const attn::LayerWeights w = attn::readLayerWeights(path.toStdString(), heads);
        QCOMPARE(w.heads, heads);
        QCOMPARE(w.d_model, dModel);
        QCOMPARE(w.d_k, dK);
        QCOMPARE(w.d_v, dV);
        const auto dims = [](qint64 rows, qint64 cols) { return std::vector<std::size_t>{std::size_t(rows), std::size_t(cols)}; };
        QCOMPARE(w.w_q.shape, dims(qk, dModel));
        QCOMPARE(w.w_k.shape, dims(qk, dModel));
        QCOMPARE(w.w_v.shape, dims(hv, dModel));
        QCOMPARE(w.w_o.shape, dims(dModel, hv));
        QCOMPARE(w.w_q.data, f32Values(1, qk * dModel));
        QCOMPARE(w.w_k.data, f32Values(2, qk * dModel));
        QCOMPARE(w.w_v.data, f32Values(3, hv * dModel));
        QCOMPARE(w.w_o.data, f32Values(4, dModel * hv));
        if (withBias) {
            QCOMPARE(w.b_q.shape, std::vector<std::size_t>{std::size_t(qk)});
            QCOMPARE(w.b_q.data, f32Values(5, qk));
            QCOMPARE(w.b_k.data, f32Values(6, qk));
            QCOMPARE(w.b_v.data, f32Values(7, hv));
            QCOMPARE(w.b_o.data, f32Values(8, dModel));
        } else {
            QVERIFY(w.b_q.empty() && w.b_k.empty() && w.b_v.empty() && w.b_o.empty());
        }
    }

    void layerWeightsRefusesBadLayers_data()
    {
        QTest::addColumn<QList<TensorSpec>>("tensors");
        QTest::addColumn<int>("heads");
        QTest::addColumn<QByteArrayList>("keywords");
        // A good layer: 2 heads, d_model 4, d_k 3, d_v 2.
        const TensorSpec q = f32Tensor("q_proj.weight", {6, 4}, 1), k = f32Tensor("k_proj.weight", {6, 4}, 2),
                         v = f32Tensor("v_proj.weight", {4, 4}, 3), o = f32Tensor("out_proj.weight", {4, 4}, 4);

        QTest::newRow("missing k_proj") << QList<TensorSpec>{q, v, o} << 2
                                        << QByteArrayList{"no tensor 'k_proj.weight'", "out_proj.weight, q_proj.weight, v_proj.weight"};
        QTest::newRow("empty file") << QList<TensorSpec>{} << 2 << QByteArrayList{"no tensor 'q_proj.weight'", "no tensors at all"};
        QTest::newRow("rank 3") << QList<TensorSpec>{f32Tensor("q_proj.weight", {2, 3, 4}, 1), k, v, o} << 2
                                << QByteArrayList{"'q_proj.weight'", "rank 3"};
        QTest::newRow("rank 1") << QList<TensorSpec>{q, k, v, f32Tensor("out_proj.weight", {16}, 4)} << 2
                                << QByteArrayList{"'out_proj.weight'", "rank 1"};
        QTest::newRow("heads do not divide q rows") << QList<TensorSpec>{q, k, v, o} << 4
                                                    << QByteArrayList{"'q_proj.weight' has 6 rows", "4 heads", "--heads", "1, 2"};
        QTest::newRow("heads do not divide v rows")
            << QList<TensorSpec>{f32Tensor("q_proj.weight", {6, 4}, 1), f32Tensor("k_proj.weight", {6, 4}, 2),
                                 f32Tensor("v_proj.weight", {9, 4}, 3), f32Tensor("out_proj.weight", {4, 9}, 4)}
            << 2 << QByteArrayList{"'v_proj.weight' has 9 rows", "--heads", "1, 3"};
        // 1 head of 2048 rows would be refused next (d_k at most 1024), 128 heads too (at most 64).
        QTest::newRow("heads suggested within the limits")
            << QList<TensorSpec>{f32Tensor("q_proj.weight", {2048, 4}, 1), f32Tensor("k_proj.weight", {2048, 4}, 2),
                                 f32Tensor("v_proj.weight", {2048, 4}, 3), f32Tensor("out_proj.weight", {4, 2048}, 4)}
            << 3 << QByteArrayList{"'q_proj.weight' has 2048 rows", "divides it: 2, 4, 8, 16, 32, 64."};
        QTest::newRow("k disagrees with q") << QList<TensorSpec>{q, f32Tensor("k_proj.weight", {4, 4}, 2), v, o} << 2
                                            << QByteArrayList{"'k_proj.weight' [4 x 4]", "'q_proj.weight' [6 x 4]", "disagree"};
        QTest::newRow("v disagrees on d_model") << QList<TensorSpec>{q, k, f32Tensor("v_proj.weight", {4, 5}, 3), o} << 2
                                                << QByteArrayList{"'v_proj.weight' [4 x 5]", "'q_proj.weight' [6 x 4]", "d_model"};
        QTest::newRow("out_proj transposed") << QList<TensorSpec>{q, k, f32Tensor("v_proj.weight", {6, 4}, 3),
                                                                  f32Tensor("out_proj.weight", {6, 4}, 4)}
                                             << 2 << QByteArrayList{"'out_proj.weight' [6 x 4]", "[4 x 6]"};
        QTest::newRow("zero rows") << QList<TensorSpec>{f32Tensor("q_proj.weight", {0, 4}, 1), f32Tensor("k_proj.weight", {0, 4}, 2), v, o}
                                   << 2 << QByteArrayList{"'q_proj.weight'", "positive"};
        QTest::newRow("q bias too long") << QList<TensorSpec>{q, k, v, o, f32Tensor("q_proj.bias", {7}, 5)} << 2
                                         << QByteArrayList{"'q_proj.bias'", "[7]", "must be 6"};
        QTest::newRow("out bias too short") << QList<TensorSpec>{q, k, v, o, f32Tensor("out_proj.bias", {2}, 5)} << 2
                                            << QByteArrayList{"'out_proj.bias'", "must be 4"};
        QTest::newRow("bias as a matrix") << QList<TensorSpec>{q, k, v, o, f32Tensor("v_proj.bias", {4, 1}, 5)} << 2
                                          << QByteArrayList{"'v_proj.bias'", "[4 x 1]"};
        // A misspelt bias would leave the layer without it, and say nothing.
        QTest::newRow("misspelt bias") << QList<TensorSpec>{q, k, v, o, f32Tensor("q_proj.bais", {6}, 5)} << 2
                                       << QByteArrayList{"'q_proj.bais'", "q_proj.weight, q_proj.bias", "rename it"};
        QTest::newRow("a third tensor of out_proj") << QList<TensorSpec>{q, k, v, o, f32Tensor("out_proj.scale", {4}, 5)} << 2
                                                    << QByteArrayList{"'out_proj.scale'", "out_proj.bias"};
        QTest::newRow("zero heads") << QList<TensorSpec>{q, k, v, o} << 0 << QByteArrayList{"0 heads"};
        QTest::newRow("negative heads") << QList<TensorSpec>{q, k, v, o} << -2 << QByteArrayList{"-2 heads"};
        QTest::newRow("NaN in a weight")
            << QList<TensorSpec>{q, k, {"v_proj.weight", "F32", {4, 4}, f32s({0, 0, 0, 0, 0, 0, 0, 0, 0, std::nanf(""), 0, 0, 0, 0, 0, 0})}, o}
            << 2 << QByteArrayList{"'v_proj.weight'", "NaN at index [2, 1]"};
    }
    void layerWeightsRefusesBadLayers()
    {
        QFETCH(QList<TensorSpec>, tensors);
        QFETCH(int, heads);
        QFETCH(QByteArrayList, keywords);
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("layer.safetensors"), safetensors(tensors));
        expectError([&] { attn::readLayerWeights(path.toStdString(), heads); }, path, keywords);
    }

    void layerWeightsRefusesAMalformedFile()
    {
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("layer.safetensors"), QByteArray("\x01\x02", 2));
        expectError([&] { attn::readLayerWeights(path.toStdString(), 2); }, path, {"too short"});
    }

    // A layer beyond the engine's limits is refused from the header, naming the file, the
    // shapes and the limit, before any tensor is converted: these files declare up to 64 GiB
    // and hold none, and a reader that converted them would run out of the memory allowed.
    void layerWeightsBeyondTheLimitsAreRefusedBeforeTheirDataAreRead_data()
    {
        QTest::addColumn<qint64>("qkRows");
        QTest::addColumn<qint64>("vRows");
        QTest::addColumn<qint64>("dModel");
        QTest::addColumn<int>("heads");
        QTest::addColumn<QByteArrayList>("keywords");
        QTest::newRow("64 GiB declared") << qint64(65536) << qint64(65536) << qint64(65536) << 8
                                         << QByteArrayList{"'q_proj.weight' [65536 x 65536]",
                                                           "in 8 heads give d_model 65536, d_k 8192 and d_v 8192",
                                                           "d_k is 8192; it must be between 1 and 1024."};
        QTest::newRow("d_k 2048") << qint64(16384) << qint64(16384) << qint64(8192) << 8
                                  << QByteArrayList{"'q_proj.weight' [16384 x 8192]", "d_k is 2048; it must be between 1 and 1024."};
        QTest::newRow("d_v 2048") << qint64(64) << qint64(16384) << qint64(64) << 8
                                  << QByteArrayList{"'v_proj.weight' [16384 x 64]", "d_v is 2048; it must be between 1 and 1024."};
        QTest::newRow("d_model 16384") << qint64(1024) << qint64(1024) << qint64(16384) << 8
                                       << QByteArrayList{"d_model is 16384; it must be between 1 and 8192."};
        QTest::newRow("65 heads") << qint64(130) << qint64(130) << qint64(4) << 65
                                  << QByteArrayList{"heads is 65; it must be between 1 and 64."};
        QTest::newRow("8 GiB of weights")
            << qint64(65536) << qint64(65536) << qint64(8192) << 64
            << QByteArrayList{"d_k 1024", "the layer's weights alone take 8.0 GiB of memory, more than the 4.0 GiB limit"};
    }
    void layerWeightsBeyondTheLimitsAreRefusedBeforeTheirDataAreRead()
    {
        QFETCH(qint64, qkRows);
        QFETCH(qint64, vRows);
        QFETCH(qint64, dModel);
        QFETCH(int, heads);
        QFETCH(QByteArrayList, keywords);
        QTemporaryDir dir;
        const QString path = declared::writeLayer(dir.filePath(QStringLiteral("layer.safetensors")), qkRows, vRows, dModel);
        const declared::AddressSpaceCap cap(QFileInfo(path).size());
        expectError([&] { attn::readLayerWeights(path.toStdString(), heads); }, path, keywords);
    }
};

QTEST_GUILESS_MAIN(TestFormats)
#include "test_formats.moc"
