#include "model_page.h"

#include "paint_common.h"

namespace modelpaint {

namespace {

QString titleFacts(const ModelResult& result, const QString& viewName)
{
    QString facts;
    if (result.trace) {
        const attn::ModelConfig& config = result.trace->config;
        facts = u"  ·  "_qs + QString::fromStdString(result.trace->modelName) + u": "_qs
                + paintkit::countOf(config.layers, u"layer"_qs) + u" × "_qs + paintkit::countOf(config.heads, u"head"_qs)
                + u", dₖ = "_qs + QString::number(config.d_k());
    }
    return facts + u"  ·  "_qs + viewName;
}

} // namespace

QRectF pageContent(QRectF page, const ModelResult& result, const ViewOptions& options, const QString& viewName)
{
    return paintkit::pageContent(page, options, titleFacts(result, viewName));
}

QRectF beginPage(QPainter& painter, QRectF page, const ModelResult& result, const ViewOptions& options,
                 const QString& viewName)
{
    return paintkit::beginTitledPage(painter, page, options, titleFacts(result, viewName));
}

QString headName(int layer, int head)
{
    return u"L"_qs + QString::number(layer + 1) + u" H"_qs + QString::number(head + 1);
}

} // namespace modelpaint
