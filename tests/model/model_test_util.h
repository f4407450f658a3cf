// Shared by the model tests: fixture paths, a tensor value set in a .safetensors file, JSON
// cases, tensor comparison with the index of the first bad element.
#pragma once

#include "attn/tensor.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QTest>

#include <cmath>
#include <limits>
#include <string>

namespace modeltest {

inline std::string fixture(const char* relative)
{
    return std::string(ATTN_FIXTURES_DIR) + "/models/" + relative;
}

// Sets one value (the first unless told) of an F32 tensor of a .safetensors file (to NaN
// unless told).
inline void setValue(const std::string& path, const char* name, float value = std::numeric_limits<float>::quiet_NaN(),
                     qint64 index = 0)
{
    QFile file(QString::fromStdString(path));
    QVERIFY(file.open(QIODevice::ReadWrite));
    quint64 headerLength = 0;
    QVERIFY(file.read(reinterpret_cast<char*>(&headerLength), 8) == 8);
    const QJsonObject header = QJsonDocument::fromJson(file.read(qint64(headerLength))).object();
    const QJsonObject entry = header[QString::fromUtf8(name)].toObject();
    QCOMPARE(entry[QStringLiteral("dtype")].toString(), QStringLiteral("F32"));
    QVERIFY(file.seek(qint64(8 + headerLength) + entry[QStringLiteral("data_offsets")].toArray()[0].toInteger()
                      + index * qint64(sizeof value)));
    QVERIFY(file.write(reinterpret_cast<const char*>(&value), sizeof value) == sizeof value);
}

inline QJsonObject readJson(const std::string& path)
{
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot open %s", path.c_str());
    return QJsonDocument::fromJson(file.readAll()).object();
}

// |got - want| <= abs + rel·|want| everywhere; on failure the message names the shape and the
// first bad index.
inline bool closeEnough(const attn::Tensor& got, const attn::Tensor& want, double abs, double rel, QString& why)
{
    if (got.shape != want.shape) {
        why = QStringLiteral("shape ") + QString::fromStdString(got.shapeText()) + QStringLiteral(" != ")
              + QString::fromStdString(want.shapeText());
        return false;
    }
    for (std::size_t i = 0; i < got.size(); ++i) {
        const double g = got.data[i], w = want.data[i];
        if (!(std::abs(g - w) <= abs + rel * std::abs(w))) {
            why = QStringLiteral("shape %1, element %2: got %3, want %4")
                      .arg(QString::fromStdString(want.shapeText()))
                      .arg(i)
                      .arg(g, 0, 'g', 9)
                      .arg(w, 0, 'g', 9);
            return false;
        }
    }
    return true;
}

} // namespace modeltest

#define COMPARE_TENSORS(got, want, abs, rel)                                                                 \
    do {                                                                                                     \
        QString why_;                                                                                        \
        if (!modeltest::closeEnough((got), (want), (abs), (rel), why_))                                      \
            QFAIL(qPrintable(QStringLiteral(#got " vs " #want ": ") + why_));                                \
    } while (false)
