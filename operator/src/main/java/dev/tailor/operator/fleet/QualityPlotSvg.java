package dev.tailor.operator.fleet;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a {@link QualityPlot} as an SVG document: parameters (millions) across, the quality metric
 * on the left axis (a solid black line, square markers labelled with each variant's size), and,
 * when a class measured latencies, the step latency on the right axis (a dashed line per class).
 * Each axis gets round tick values ({@link Axis}); the output depends only on the plot, so equal
 * plots are equal bytes.
 *
 * <p>The groups carry classes ({@code axis x}, {@code axis quality}, {@code axis latency}, {@code
 * series quality}, {@code series latency}, {@code legend}) so that a reader, or a test, can find
 * each part.
 */
final class QualityPlotSvg {
  private static final int LEFT = 90;
  private static final int TOP = 50;
  private static final int BOTTOM = QualityPlot.HEIGHT - 100;
  private static final String FONT = "DejaVu Sans, Helvetica, Arial, sans-serif";
  private static final String GRID = "#dddddd";

  /** Colours of the classes' latency lines (Okabe and Ito's, told apart with colour blindness). */
  private static final String[] PALETTE = {
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#7F7F00", "#8C564B"
  };

  private final QualityPlot plot;
  private final Map<String, List<double[]>> latency = new TreeMap<>();
  private final int right;
  private final StringBuilder out = new StringBuilder(8192);

  QualityPlotSvg(QualityPlot plot) {
    this.plot = plot;
    for (QualityPlot.Point p : plot.points()) {
      p.stepLatencyMs()
          .forEach(
              (cls, ms) ->
                  latency
                      .computeIfAbsent(cls, c -> new ArrayList<>())
                      .add(new double[] {p.parameters() / 1e6, ms}));
    }
    this.right = QualityPlot.WIDTH - (latency.isEmpty() ? 30 : 90);
  }

  String draw() {
    List<QualityPlot.Point> points =
        plot.points().stream().filter(p -> Double.isFinite(p.quality())).toList();
    Axis x =
        Axis.of(
            0,
            plot.points().stream().mapToDouble(p -> p.parameters() / 1e6).max().orElse(1) * 1.05,
            LEFT,
            right);
    Axis quality =
        Axis.padded(
            points.stream().mapToDouble(QualityPlot.Point::quality).min().orElse(0),
            points.stream().mapToDouble(QualityPlot.Point::quality).max().orElse(1),
            BOTTOM,
            TOP);
    out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append(
            String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                    + " viewBox=\"0 0 %d %d\" font-family=\"%s\" font-size=\"12\">\n",
                QualityPlot.WIDTH,
                QualityPlot.HEIGHT,
                QualityPlot.WIDTH,
                QualityPlot.HEIGHT,
                FONT));
    String title = plot.fleet() + ": quality and step latency by variant size";
    out.append("<title>").append(escape(title)).append("</title>\n");
    out.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    text(QualityPlot.WIDTH / 2.0, 30, "middle", "font-size=\"18\" font-weight=\"bold\"", title);

    grid(x, quality);
    xAxis(x);
    yAxis("quality", quality, LEFT, -1, plot.qualityName());
    Axis ms = null;
    if (!latency.isEmpty()) {
      double max =
          latency.values().stream().flatMap(List::stream).mapToDouble(xy -> xy[1]).max().orElse(1);
      ms = Axis.of(0, max * 1.1, BOTTOM, TOP);
      yAxis("latency", ms, right, 1, "step latency on the class (ms)");
    }
    out.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP);
    out.append("\" width=\"").append(right - LEFT).append("\" height=\"").append(BOTTOM - TOP);
    out.append("\" fill=\"none\" stroke=\"#808080\"/>\n");

    out.append("<g class=\"series quality\">\n");
    List<double[]> qualityXy = new ArrayList<>();
    points.forEach(p -> qualityXy.add(new double[] {p.parameters() / 1e6, p.quality()}));
    polyline(qualityXy, x, quality, "black", "stroke-width=\"2.5\"");
    for (QualityPlot.Point p : points) {
      double px = x.at(p.parameters() / 1e6);
      double py = quality.at(p.quality());
      out.append("<rect class=\"marker\" x=\"");
      number(px - 3.5).append("\" y=\"");
      number(py - 3.5).append("\" width=\"7\" height=\"7\" fill=\"black\"/>\n");
      text(px, py - 9, "middle", "class=\"label\" font-size=\"11\"", p.size() + " %");
    }
    out.append("</g>\n");

    List<String[]> legend = new ArrayList<>();
    legend.add(new String[] {plot.qualityName(), "black", ""});
    int i = 0;
    for (Map.Entry<String, List<double[]>> e : latency.entrySet()) {
      String colour = PALETTE[i++ % PALETTE.length];
      String dash = "stroke-dasharray=\"6 4\"";
      out.append("<g class=\"series latency\" data-class=\"")
          .append(escape(e.getKey()))
          .append("\">\n");
      polyline(e.getValue(), x, ms, colour, "stroke-width=\"1.5\" " + dash);
      for (double[] xy : e.getValue()) {
        out.append("<circle class=\"marker\" cx=\"");
        number(x.at(xy[0])).append("\" cy=\"");
        number(ms.at(xy[1])).append("\" r=\"3.5\" fill=\"").append(colour).append("\"/>\n");
      }
      out.append("</g>\n");
      legend.add(new String[] {"step latency on " + e.getKey(), colour, dash});
    }
    legend(legend);
    return out.append("</svg>\n").toString();
  }

  private void grid(Axis x, Axis y) {
    out.append("<g class=\"grid\" stroke=\"").append(GRID).append("\">\n");
    for (double v : x.ticks()) {
      line(x.at(v), TOP, x.at(v), BOTTOM, "");
      out.append('\n');
    }
    for (double v : y.ticks()) {
      line(LEFT, y.at(v), right, y.at(v), "");
      out.append('\n');
    }
    out.append("</g>\n");
  }

  private void xAxis(Axis x) {
    out.append("<g class=\"axis x\">\n");
    for (double v : x.ticks()) {
      out.append("<g class=\"tick\">");
      line(x.at(v), BOTTOM, x.at(v), BOTTOM + 5, "stroke=\"black\"");
      text(x.at(v), BOTTOM + 19, "middle", "", x.label(v));
      out.append("</g>\n");
    }
    text((LEFT + right) / 2.0, BOTTOM + 42, "middle", "font-size=\"13\"", "parameters (millions)");
    out.append("</g>\n");
  }

  /** A vertical axis at {@code at}, its ticks and labels on the {@code side} (-1 left, 1 right). */
  private void yAxis(String name, Axis y, double at, int side, String title) {
    out.append("<g class=\"axis ").append(name).append("\">\n");
    for (double v : y.ticks()) {
      out.append("<g class=\"tick\">");
      line(at, y.at(v), at + side * 5, y.at(v), "stroke=\"black\"");
      text(at + side * 8, y.at(v) + 4, side < 0 ? "end" : "start", "", y.label(v));
      out.append("</g>\n");
    }
    double tx = at + side * 62;
    double ty = (TOP + BOTTOM) / 2.0;
    text(
        tx,
        ty,
        "middle",
        String.format(
            Locale.ROOT, "font-size=\"13\" transform=\"rotate(%d %.1f %.1f)\"", side * 90, tx, ty),
        title);
    out.append("</g>\n");
  }

  /** The legend under the axis title, its entries centred on rows as wide as the plot allows. */
  private void legend(List<String[]> entries) {
    out.append("<g class=\"legend\">\n");
    List<List<String[]>> rows = new ArrayList<>();
    List<Double> widths = new ArrayList<>();
    double width = 0;
    for (String[] e : entries) {
      double w = 36 + textWidth(e[0]) + 24;
      if (rows.isEmpty() || width + w > QualityPlot.WIDTH - 40) {
        rows.add(new ArrayList<>());
        widths.add(0.0);
        width = 0;
      }
      rows.get(rows.size() - 1).add(e);
      width += w;
      widths.set(rows.size() - 1, width);
    }
    for (int r = 0; r < rows.size(); r++) {
      double y = BOTTOM + 68 + r * 18;
      double lx = (QualityPlot.WIDTH - widths.get(r)) / 2;
      for (String[] e : rows.get(r)) {
        line(lx, y - 4, lx + 30, y - 4, "stroke=\"" + e[1] + "\" stroke-width=\"2\" " + e[2]);
        out.append('\n');
        text(lx + 36, y, "start", "", e[0]);
        lx += 36 + textWidth(e[0]) + 24;
      }
    }
    out.append("</g>\n");
  }

  private void polyline(List<double[]> xy, Axis x, Axis y, String colour, String style) {
    out.append("<polyline fill=\"none\" stroke=\"")
        .append(colour)
        .append("\" ")
        .append(style)
        .append(" points=\"");
    for (int i = 0; i < xy.size(); i++) {
      number(x.at(xy.get(i)[0]), i == 0 ? "" : " ").append(',');
      number(y.at(xy.get(i)[1]));
    }
    out.append("\"/>\n");
  }

  private void line(double x1, double y1, double x2, double y2, String style) {
    number(x1, "<line x1=\"").append("\" y1=\"");
    number(y1).append("\" x2=\"");
    number(x2).append("\" y2=\"");
    number(y2).append('"');
    if (!style.isEmpty()) {
      out.append(' ').append(style.trim());
    }
    out.append("/>");
  }

  private void text(double x, double y, String anchor, String style, String text) {
    number(x, "<text x=\"").append("\" y=\"");
    number(y).append("\" text-anchor=\"").append(anchor).append('"');
    if (!style.isEmpty()) {
      out.append(' ').append(style);
    }
    out.append('>').append(escape(text)).append("</text>\n");
  }

  private StringBuilder number(double v) {
    return number(v, "");
  }

  /**
   * {@code prefix}, then {@code v} rounded to one decimal, without a formatter: a plot has a few
   * hundred of them.
   */
  private StringBuilder number(double v, String prefix) {
    long tenths = Math.round(v * 10);
    out.append(prefix);
    if (tenths < 0) {
      out.append('-');
      tenths = -tenths;
    }
    return out.append(tenths / 10).append('.').append(tenths % 10);
  }

  /** About how wide {@code text} sets at 12 user units in a sans-serif face, for the legend. */
  private static double textWidth(String text) {
    return text.length() * 6.8;
  }

  static String escape(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * A linear axis from {@code min} to {@code max} (round values: a multiple of its tick step, a 1,
   * 2 or 5 times a power of ten) drawn from {@code from} to {@code to} user units.
   */
  record Axis(double min, double max, double step, double from, double to) {
    static Axis of(double lo, double hi, double from, double to) {
      if (!(hi > lo)) {
        double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
        lo -= pad;
        hi += pad;
      }
      double raw = (hi - lo) / 8;
      double power = Math.pow(10, Math.floor(Math.log10(raw)));
      double step = power * (raw <= power ? 1 : raw <= 2 * power ? 2 : raw <= 5 * power ? 5 : 10);
      return new Axis(
          Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step, step, from, to);
    }

    /** An axis with a tenth of the values' span to spare each side, not below 0 for values ≥ 0. */
    static Axis padded(double lo, double hi, double from, double to) {
      double pad = (hi - lo) * 0.1;
      return of(lo >= 0 ? Math.max(0, lo - pad) : lo - pad, hi + pad, from, to);
    }

    /** Where value {@code v} is drawn. */
    double at(double v) {
      return from + (v - min) / (max - min) * (to - from);
    }

    List<Double> ticks() {
      List<Double> ticks = new ArrayList<>();
      long n = Math.round((max - min) / step);
      for (long i = 0; i <= n; i++) {
        ticks.add(min + i * step);
      }
      return ticks;
    }

    String label(double v) {
      int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
      return String.format(Locale.ROOT, "%." + decimals + "f", Math.abs(v) < step / 2 ? 0.0 : v);
    }
  }
}
