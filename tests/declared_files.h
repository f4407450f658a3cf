// Files that declare gigabytes of float32 and hold none: a header as the format wants it,
// then a hole up to the size it declares (QFile::resize makes the file sparse, so it takes
// no disk). Reading one whole would take that much memory; a reader must refuse it from
// its header.
#pragma once

#include <QByteArray>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QtEndian>

#include <algorithm>
#include <utility>

#include <sys/resource.h>
#include <unistd.h>

namespace declared {

using Shape = QList<qint64>;

inline qint64 float32Bytes(const Shape& shape)
{
    qint64 bytes = 4;
    for (qint64 size : shape)
        bytes *= size;
    return bytes;
}

inline QString writeWithHole(const QString& path, const QByteArray& header, qint64 dataBytes)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(header) != header.size() || !file.resize(header.size() + dataBytes))
        qFatal("cannot write the test file %s", qPrintable(path));
    return path;
}

// An nn.Linear layer of F32: q_proj and k_proj [qkRows x dModel], v_proj [vRows x dModel],
// out_proj [dModel x vRows].
inline QString writeLayer(const QString& path, qint64 qkRows, qint64 vRows, qint64 dModel)
{
    const std::pair<const char*, Shape> tensors[] = {{"q_proj.weight", {qkRows, dModel}},
                                                     {"k_proj.weight", {qkRows, dModel}},
                                                     {"v_proj.weight", {vRows, dModel}},
                                                     {"out_proj.weight", {dModel, vRows}}};
    QJsonObject header;
    qint64 offset = 0;
    for (const auto& [name, shape] : tensors) {
        const qint64 end = offset + float32Bytes(shape);
        header.insert(QLatin1StringView(name), QJsonObject{{QStringLiteral("dtype"), QStringLiteral("F32")},
                                                           {QStringLiteral("shape"), QJsonArray{shape[0], shape[1]}},
                                                           {QStringLiteral("data_offsets"), QJsonArray{offset, end}}});
        offset = end;
    }
    const QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
    const quint64 length = qToLittleEndian(quint64(json.size()));
    return writeWithHole(path, QByteArray(reinterpret_cast<const char*>(&length), 8) + json, offset);
}

// A .npy file of float32 [rows x cols], version 1.0.
inline QString writeNpy(const QString& path, qint64 rows, qint64 cols)
{
    QByteArray dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + QByteArray::number(rows) + ", "
                      + QByteArray::number(cols) + "), }";
    dict += QByteArray(63 - (10 + dict.size()) % 64, ' ') + '\n'; // the data start on a multiple of 64 bytes
    const quint16 length = qToLittleEndian(quint16(dict.size()));
    const QByteArray header = QByteArray("\x93NUMPY\x01\x00", 8) + QByteArray(reinterpret_cast<const char*>(&length), 2) + dict;
    return writeWithHole(path, header, float32Bytes({rows, cols}));
}

// The address space this process holds now (VmSize): what a many-core machine's BLAS
// threads and buffers already took counts against a cap too.
inline rlim_t addressSpaceInUse()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    return rlim_t(statm.readAll().split(' ').value(0).toULongLong()) * rlim_t(::sysconf(_SC_PAGESIZE));
}

// While it lives, this process and those it starts may map files of `mappedBytes` and
// 2 GiB beside what this process holds already (the soft ulimit -v): a reader that read
// such a file whole fails there for want of memory, rather than take the test machine's.
class AddressSpaceCap {
public:
    explicit AddressSpaceCap(qint64 mappedBytes)
    {
        ::getrlimit(RLIMIT_AS, &m_saved);
        const rlim_t cap = addressSpaceInUse() + rlim_t(mappedBytes) + (rlim_t(2) << 30);
        const rlimit capped{std::min(cap, m_saved.rlim_max), m_saved.rlim_max};
        ::setrlimit(RLIMIT_AS, &capped);
    }
    ~AddressSpaceCap() { ::setrlimit(RLIMIT_AS, &m_saved); }
    AddressSpaceCap(const AddressSpaceCap&) = delete;
    AddressSpaceCap& operator=(const AddressSpaceCap&) = delete;

private:
    rlimit m_saved{};
};

} // namespace declared
