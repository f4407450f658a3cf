// Shared by the model tests: fixture paths, JSON cases, tensor comparison with the index of
// the first bad element.
#pragma once

#include "attn/tensor.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QTest>

#include <cmath>
#include <string>

namespace modeltest {

inline std::string fixture(const char* relative)
{
    return std::string(ATTN_FIXTURES_DIR) + "/models/" + relative;
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
