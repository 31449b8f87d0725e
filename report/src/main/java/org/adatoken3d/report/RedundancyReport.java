package org.adatoken3d.report;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.KeepSet;
import org.adatoken3d.pruning.LayerStats;
import org.adatoken3d.pruning.PruneSpec;
import org.adatoken3d.pruning.Redundancy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The {@code analyze} report: a folder with {@code index.html} (opens offline: SVG plots drawn here, one small
 * inline script for the 3D view, no external resource of any kind) and {@code layers.csv} (the per-layer table).
 *
 * <p>It shows, for one input: S^l and R^l(τ) per layer, the distribution of contributions at the gate layer
 * K−1 with kept and pruned tokens stacked, the cumulative contribution of the ranked tokens against the 1−τ
 * line, the per-layer table, and, when the spatial tokens' world coordinates are known, a 3D scatter of the
 * tokens coloured kept/pruned that can be rotated with the mouse.
 */
public final class RedundancyReport {

    /** The taus of the R^l(τ) curves; 0.05 is the paper's "under 5%". */
    public static final double[] CURVE_TAUS = {0.01, 0.05, 0.10, 0.20};
    private static final String[] PALETTE = {"#4e79a7", "#e15759", "#59a14f", "#b07aa1", "#f28e2b"};
    private static final String KEPT = "#e8702a";
    private static final String PRUNED = "#b8bcc2";

    /**
     * What the report shows. {@code layers}: unpruned stats of layers 0..L−1 in order; {@code keepSet}: the gate's
     * decision over the same N tokens ({@link KeepSet#all} when nothing was pruned); {@code xyz}: N·3 world
     * coordinates (x0, y0, z0, x1, ...) or null.
     */
    public record Input(String model, String question, GatePolicy policy, List<LayerStats> layers, KeepSet keepSet,
            float[] xyz) {

        public Input {
            if (layers == null || layers.isEmpty()) throw new IllegalArgumentException("report: no layer statistics");
            layers = List.copyOf(layers);
            int n = layers.getFirst().size();
            for (int l = 0; l < layers.size(); l++) {
                if (layers.get(l).layer() != l || layers.get(l).size() != n) {
                    throw new IllegalArgumentException("report: layer stats must be layers 0..L-1 over the same "
                            + n + " spatial tokens; entry " + l + " is layer " + layers.get(l).layer() + " with "
                            + layers.get(l).size() + " tokens");
                }
            }
            if (keepSet == null || keepSet.total() != n) {
                throw new IllegalArgumentException("report: keep-set must cover the " + n + " spatial tokens");
            }
            if (xyz != null && xyz.length != 3 * n) {
                throw new IllegalArgumentException("report: xyz holds " + xyz.length + " values, expected 3 x " + n);
            }
            if (policy == null) throw new IllegalArgumentException("report: policy is null");
            xyz = xyz == null ? null : xyz.clone();
            model = model == null ? "" : model;
            question = question == null ? "" : question;
        }

        /** The layer whose contribution the gate reads: K−1, or DESIGN.md's default K−1 = 1 without a gate. */
        public int gateReadLayer() {
            int k = policy.gates() ? policy.layer() : GatePolicy.DEFAULT_LAYER;
            return Math.min(k - 1, layers.size() - 1);
        }

        public double tau() {
            return policy instanceof GatePolicy.AdaptiveGate a ? a.tau() : GatePolicy.DEFAULT_TAU;
        }
    }

    private RedundancyReport() {}

    /** Writes {@code index.html} and {@code layers.csv} into {@code dir} (created if needed); returns the HTML file. */
    public static Path write(Input input, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("layers.csv"), csv(input));
        Path html = dir.resolve("index.html");
        Files.writeString(html, html(input));
        return html;
    }

    /** The per-layer table: layer, S, R(τ) for each of {@link #CURVE_TAUS}. */
    public static String csv(Input input) {
        StringBuilder s = new StringBuilder("layer,spatial_share");
        for (double t : CURVE_TAUS) s.append(",redundancy_").append(fmt(t));
        s.append('\n');
        for (LayerStats l : input.layers()) {
            s.append(l.layer()).append(',').append(fmt(l.spatialShare()));
            for (double t : CURVE_TAUS) s.append(',').append(fmt(l.redundancy(t)));
            s.append('\n');
        }
        return s.toString();
    }

    /** The whole page as one self-contained string. */
    public static String html(Input in) {
        int n = in.keepSet().total();
        int gateRead = in.gateReadLayer();
        LayerStats gate = in.layers().get(gateRead);
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>AdaToken-3D redundancy: ")
                .append(esc(in.model())).append("</title>\n<style>\n")
                .append("body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1080px;color:#222}")
                .append("h1{font-size:20px}h2{font-size:16px;margin-top:28px}")
                .append(".grid{display:flex;flex-wrap:wrap;gap:16px}.card{border:1px solid #ddd;border-radius:6px;padding:8px}")
                .append("table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 8px;text-align:right}")
                .append("th{background:#f4f4f4}.q{background:#f7f7f7;padding:6px 10px;border-left:3px solid #4e79a7}")
                .append("svg text{font:11px system-ui,sans-serif}canvas{border:1px solid #ddd;cursor:grab}\n</style></head><body>\n");
        h.append("<h1>Spatial-token redundancy — ").append(esc(in.model())).append("</h1>\n");
        h.append("<p class=\"q\">").append(esc(in.question())).append("</p>\n<ul>\n");
        h.append(li("spatial tokens N", Integer.toString(n)));
        h.append(li("policy", esc(PruneSpec.format(in.policy()))));
        h.append(li("kept", in.keepSet().keptCount() + " of " + n + " (" + pct(in.keepSet().keptFraction()) + ")"
                + (in.policy().gates() ? ", layers " + in.policy().layer() + ".." + (in.layers().size() - 1) + " see only these" : "")));
        h.append(li("gate reads layer", gateRead + " (S = " + fmt3(gate.spatialShare()) + ")"));
        h.append(li("tokens that together hold under 5% of the contribution at layer " + gateRead,
                pct(gate.redundancy(0.05)) + " (mean over layers " + pct(meanRedundancy(in, 0.05)) + ")"));
        h.append("</ul>\n<div class=\"grid\">\n");
        h.append(card("Spatial share S<sup>l</sup> per layer", lineChart(layerAxis(in),
                List.of(series("S", shares(in), PALETTE[0])), "layer", "S")));
        List<double[]> curves = new ArrayList<>();
        List<String[]> labels = new ArrayList<>();
        for (int i = 0; i < CURVE_TAUS.length; i++) {
            double[] r = new double[in.layers().size()];
            for (int l = 0; l < r.length; l++) r[l] = in.layers().get(l).redundancy(CURVE_TAUS[i]);
            curves.add(r);
            labels.add(new String[] {"R(" + fmt(CURVE_TAUS[i]) + ")", PALETTE[i + 1 < PALETTE.length ? i + 1 : 0]});
        }
        List<Series> rs = new ArrayList<>();
        for (int i = 0; i < curves.size(); i++) rs.add(series(labels.get(i)[0], curves.get(i), labels.get(i)[1]));
        h.append(card("Redundancy R<sup>l</sup>(τ) per layer", lineChart(layerAxis(in), rs, "layer", "R")));
        h.append(card("Contributions at layer " + gateRead + " (N·c, log scale)", histogram(gate.contribution(), in.keepSet())));
        h.append(card("Cumulative contribution of the ranked tokens, layer " + gateRead, cumulative(gate.contribution(), in.tau(), in.keepSet().keptFraction())));
        h.append("</div>\n");
        if (in.xyz() != null) h.append(scatter(in, gate.contribution()));
        h.append("<h2>Per layer</h2>\n<table><tr><th>layer</th><th>S</th>");
        for (double t : CURVE_TAUS) h.append("<th>R(").append(fmt(t)).append(")</th>");
        h.append("<th>tokens</th></tr>\n");
        for (LayerStats l : in.layers()) {
            boolean pruned = in.policy().gates() && l.layer() >= in.policy().layer();
            h.append("<tr><td>").append(l.layer()).append(l.layer() == gateRead ? " (gate)" : "").append("</td><td>")
                    .append(fmt3(l.spatialShare())).append("</td>");
            for (double t : CURVE_TAUS) h.append("<td>").append(fmt3(l.redundancy(t))).append("</td>");
            h.append("<td>").append(pruned ? in.keepSet().keptCount() : n).append("</td></tr>\n");
        }
        h.append("</table>\n<p>S<sup>l</sup>: attention the query rows give the spatial block at layer l. "
                + "R<sup>l</sup>(τ): the largest fraction of spatial tokens whose summed normalised contribution is at "
                + "most τ. Written by adatoken3d analyze.</p>\n</body></html>\n");
        return h.toString();
    }

    private record Series(String label, double[] y, String colour) {}

    private static Series series(String label, double[] y, String colour) {
        return new Series(label, y, colour);
    }

    private static double[] layerAxis(Input in) {
        double[] x = new double[in.layers().size()];
        for (int i = 0; i < x.length; i++) x[i] = i;
        return x;
    }

    private static double[] shares(Input in) {
        return in.layers().stream().mapToDouble(LayerStats::spatialShare).toArray();
    }

    private static double meanRedundancy(Input in, double tau) {
        return in.layers().stream().mapToDouble(l -> l.redundancy(tau)).average().orElse(0);
    }

    // Plot area inside a 480x300 SVG.
    private static final int W = 480, H = 300, LEFT = 48, RIGHT = 12, TOP = 28, BOTTOM = 40;

    /** Lines over layers for quantities in [0, 1] (shares and fractions). */
    private static String lineChart(double[] x, List<Series> series, String xLabel, String yLabel) {
        double xMax = Math.max(1, x[x.length - 1]);
        double yMax = 1;
        StringBuilder s = new StringBuilder(svgOpen());
        axes(s, 0, xMax, 0, yMax, xLabel, yLabel);
        for (Series line : series) {
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < x.length; i++) {
                pts.append(fmt2(px(x[i], 0, xMax))).append(',').append(fmt2(py(line.y()[i], 0, yMax))).append(' ');
            }
            s.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(line.colour()).append("\" points=\"")
                    .append(pts.toString().trim()).append("\"/>\n");
            for (int i = 0; i < x.length; i++) {
                s.append("<circle r=\"2.5\" fill=\"").append(line.colour()).append("\" cx=\"").append(fmt2(px(x[i], 0, xMax)))
                        .append("\" cy=\"").append(fmt2(py(line.y()[i], 0, yMax))).append("\"><title>").append(esc(line.label()))
                        .append(" layer ").append((int) x[i]).append(": ").append(fmt3(line.y()[i])).append("</title></circle>\n");
            }
        }
        legend(s, series.stream().map(Series::label).toList(), series.stream().map(Series::colour).toList());
        return s.append("</svg>").toString();
    }

    private static String histogram(double[] c, KeepSet keep) {
        int n = c.length;
        boolean[] kept = keep.mask();
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        int zeros = 0;
        for (double v : c) {
            if (v > 0) {
                double e = Math.log10(v * n);
                lo = Math.min(lo, e);
                hi = Math.max(hi, e);
            } else {
                zeros++;
            }
        }
        StringBuilder s = new StringBuilder(svgOpen());
        if (lo > hi) {
            return s.append("<text x=\"").append(W / 2).append("\" y=\"").append(H / 2)
                    .append("\" text-anchor=\"middle\">no tokens with c &gt; 0</text></svg>").toString();
        }
        double step = 0.25;
        double start = Math.floor(lo / step) * step;
        int bins = Math.max(1, (int) Math.ceil((hi - start) / step + 1e-9));
        if (bins > 60) {
            step = (hi - start) / 60;
            bins = 60;
        }
        int[] keptCount = new int[bins], prunedCount = new int[bins];
        for (int i = 0; i < n; i++) {
            if (c[i] <= 0) continue;
            int b = Math.min(bins - 1, (int) ((Math.log10(c[i] * n) - start) / step));
            if (kept[i]) keptCount[b]++;
            else prunedCount[b]++;
        }
        int max = 1;
        for (int b = 0; b < bins; b++) max = Math.max(max, keptCount[b] + prunedCount[b]);
        double end = start + bins * step;
        double yStep = niceStep(max, 5);
        double yTop = Math.ceil(max / yStep) * yStep;
        axes(s, start, end, 0, yTop, "log10(N·c)   (0 = uniform share)", "tokens");
        double bw = (px(end, start, end) - px(start, start, end)) / bins;
        for (int b = 0; b < bins; b++) {
            double x0 = px(start + b * step, start, end);
            double yPruned = py(prunedCount[b], 0, yTop);
            double yAll = py(prunedCount[b] + keptCount[b], 0, yTop);
            rect(s, x0, yPruned, bw, py(0, 0, yTop) - yPruned, PRUNED,
                    prunedCount[b] + " pruned in [" + fmt2(start + b * step) + ", " + fmt2(start + (b + 1) * step) + ")");
            rect(s, x0, yAll, bw, yPruned - yAll, KEPT,
                    keptCount[b] + " kept in [" + fmt2(start + b * step) + ", " + fmt2(start + (b + 1) * step) + ")");
        }
        legend(s, List.of("kept", "pruned" + (zeros > 0 ? " (+" + zeros + " with c = 0, not drawn)" : "")),
                List.of(KEPT, PRUNED));
        return s.append("</svg>").toString();
    }

    private static String cumulative(double[] c, double tau, double keptFraction) {
        double[] sorted = c.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        StringBuilder s = new StringBuilder(svgOpen());
        axes(s, 0, 1, 0, 1, "fraction of tokens, highest contribution first", "summed c");
        StringBuilder pts = new StringBuilder(fmt2(px(0, 0, 1)) + "," + fmt2(py(0, 0, 1)));
        double sum = 0;
        int stride = Math.max(1, n / 400);
        for (int i = 0; i < n; i++) {
            sum += sorted[n - 1 - i];
            if (i % stride == 0 || i == n - 1) {
                pts.append(' ').append(fmt2(px((i + 1.0) / n, 0, 1))).append(',').append(fmt2(py(Math.min(1, sum), 0, 1)));
            }
        }
        double yLine = py(1 - tau, 0, 1);
        s.append("<line stroke=\"#e15759\" stroke-dasharray=\"4 3\" x1=\"").append(LEFT).append("\" x2=\"").append(W - RIGHT)
                .append("\" y1=\"").append(fmt2(yLine)).append("\" y2=\"").append(fmt2(yLine)).append("\"/>\n");
        double xKept = px(keptFraction, 0, 1);
        s.append("<line stroke=\"").append(KEPT).append("\" stroke-dasharray=\"4 3\" x1=\"").append(fmt2(xKept))
                .append("\" x2=\"").append(fmt2(xKept)).append("\" y1=\"").append(TOP).append("\" y2=\"").append(H - BOTTOM)
                .append("\"/>\n");
        s.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(PALETTE[0]).append("\" points=\"")
                .append(pts).append("\"/>\n");
        legend(s, List.of("summed c", "1 − τ (τ = " + fmt(tau) + ")", "kept " + pct(keptFraction)),
                List.of(PALETTE[0], "#e15759", KEPT));
        return s.append("</svg>").toString();
    }

    private static String scatter(Input in, double[] c) {
        float[] xyz = in.xyz();
        boolean[] kept = in.keepSet().mask();
        int n = kept.length;
        StringBuilder data = new StringBuilder("{\"p\":[");
        for (int i = 0; i < 3 * n; i++) data.append(i > 0 ? "," : "").append(fmt3(Float.isFinite(xyz[i]) ? xyz[i] : 0));
        data.append("],\"k\":[");
        for (int i = 0; i < n; i++) data.append(i > 0 ? "," : "").append(kept[i] ? 1 : 0);
        data.append("],\"c\":[");
        for (int i = 0; i < n; i++) data.append(i > 0 ? "," : "").append(String.format(Locale.ROOT, "%.4g", c[i] * n));
        data.append("]}");
        return "<h2>Spatial tokens in the scene</h2>\n<p>Drag to rotate, wheel to zoom. "
                + "<span style=\"color:" + KEPT + "\">●</span> kept (size ∝ contribution) "
                + "<span style=\"color:" + PRUNED + "\">●</span> pruned. "
                + "<label><input type=\"checkbox\" id=\"showPruned\" checked> show pruned</label></p>\n"
                + "<canvas id=\"scene\" width=\"900\" height=\"600\"></canvas>\n<script>\n"
                + "const D=" + data + ";\n" + SCATTER_JS + "</script>\n";
    }

    /**
     * Orthographic view, z up (ScanNet's axis-aligned frame): yaw turns about z, pitch tilts from the top view
     * (0) to the side view (π/2); points are painted far to near. Screen axes stay right-handed (no mirroring).
     */
    private static final String SCATTER_JS = """
            (function(){
            const cv=document.getElementById('scene'),g=cv.getContext('2d'),n=D.k.length;
            let lo=[1e9,1e9,1e9],hi=[-1e9,-1e9,-1e9];
            for(let i=0;i<n;i++)for(let a=0;a<3;a++){const v=D.p[3*i+a];lo[a]=Math.min(lo[a],v);hi[a]=Math.max(hi[a],v);}
            const mid=[0,1,2].map(a=>(lo[a]+hi[a])/2);
            const rad=Math.max(1e-6,...[0,1,2].map(a=>(hi[a]-lo[a])/2));
            let yaw=0.7,pitch=1.0,zoom=1,showPruned=true,drag=null;
            const order=new Array(n),sx=new Float32Array(n),sy=new Float32Array(n),dz=new Float32Array(n);
            function draw(){
              const s=Math.min(cv.width,cv.height)*0.45*zoom/rad,cy=Math.cos(yaw),sy_=Math.sin(yaw),cp=Math.cos(pitch),sp=Math.sin(pitch);
              for(let i=0;i<n;i++){
                const x=D.p[3*i]-mid[0],y=D.p[3*i+1]-mid[1],z=D.p[3*i+2]-mid[2];
                const xr=x*cy-y*sy_,yr=x*sy_+y*cy;
                const up=yr*cp+z*sp,depth=z*cp-yr*sp;
                sx[i]=cv.width/2+xr*s;sy[i]=cv.height/2-up*s;dz[i]=depth;order[i]=i;
              }
              order.sort((a,b)=>dz[a]-dz[b]);
              g.fillStyle='#fff';g.fillRect(0,0,cv.width,cv.height);
              for(const i of order){
                if(D.k[i]){g.fillStyle='%s';g.beginPath();g.arc(sx[i],sy[i],2+Math.min(6,1.5*Math.sqrt(D.c[i])),0,6.2832);g.fill();}
                else if(showPruned){g.fillStyle='%s';g.fillRect(sx[i]-1.5,sy[i]-1.5,3,3);}
              }
            }
            cv.addEventListener('pointerdown',e=>{drag=[e.clientX,e.clientY];try{cv.setPointerCapture(e.pointerId);}catch(_){}});
            cv.addEventListener('pointermove',e=>{if(!drag)return;yaw+=(e.clientX-drag[0])*0.01;
              pitch=Math.max(0,Math.min(Math.PI,pitch+(e.clientY-drag[1])*0.01));drag=[e.clientX,e.clientY];draw();});
            cv.addEventListener('pointerup',()=>{drag=null;});
            cv.addEventListener('wheel',e=>{e.preventDefault();zoom*=Math.exp(-e.deltaY*0.001);draw();},{passive:false});
            document.getElementById('showPruned').addEventListener('change',e=>{showPruned=e.target.checked;draw();});
            draw();
            })();
            """.formatted(KEPT, PRUNED);

    private static String svgOpen() {
        return "<svg width=\"" + W + "\" height=\"" + H + "\" viewBox=\"0 0 " + W + " " + H + "\" role=\"img\">\n";
    }

    private static double px(double x, double lo, double hi) {
        return LEFT + (x - lo) / (hi - lo) * (W - LEFT - RIGHT);
    }

    private static double py(double y, double lo, double hi) {
        return H - BOTTOM - (y - lo) / (hi - lo) * (H - TOP - BOTTOM);
    }

    private static void axes(StringBuilder s, double x0, double x1, double y0, double y1, String xLabel, String yLabel) {
        s.append("<g stroke=\"#999\">");
        s.append(line(LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM)).append(line(LEFT, TOP, LEFT, H - BOTTOM)).append("</g>\n");
        double yStep = niceStep(y1 - y0, 5);
        for (double v = Math.ceil(y0 / yStep) * yStep; v <= y1 + 1e-9 * yStep; v += yStep) {
            double y = py(v, y0, y1);
            s.append("<g stroke=\"#eee\">").append(line(LEFT, y, W - RIGHT, y)).append("</g>");
            s.append("<text x=\"").append(LEFT - 4).append("\" y=\"").append(fmt2(y + 4)).append("\" text-anchor=\"end\">")
                    .append(tick(v, yStep)).append("</text>\n");
        }
        double xStep = niceStep(x1 - x0, 8);
        for (double v = Math.ceil(x0 / xStep) * xStep; v <= x1 + 1e-9 * xStep; v += xStep) {
            s.append("<text x=\"").append(fmt2(px(v, x0, x1))).append("\" y=\"").append(H - BOTTOM + 14)
                    .append("\" text-anchor=\"middle\">").append(tick(v, xStep)).append("</text>");
        }
        s.append("\n<text x=\"").append((LEFT + W - RIGHT) / 2).append("\" y=\"").append(H - 6)
                .append("\" text-anchor=\"middle\">").append(esc(xLabel)).append("</text>");
        s.append("<text transform=\"translate(12,").append((TOP + H - BOTTOM) / 2).append(") rotate(-90)\" text-anchor=\"middle\">")
                .append(esc(yLabel)).append("</text>\n");
    }

    /** The smallest of 1, 2, 5 times a power of ten that splits {@code range} into at most {@code ticks} steps. */
    private static double niceStep(double range, int ticks) {
        double raw = range / ticks;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) if (m * magnitude >= raw * (1 - 1e-12)) return m * magnitude;
        return 10 * magnitude;
    }

    private static String tick(double v, double step) {
        if (Math.abs(v) < 1e-9 * step) v = 0;
        return step >= 1 ? Long.toString(Math.round(v)) : fmt(Math.round(v / step) * step);
    }

    /** A row of coloured keys above the plot area. */
    private static void legend(StringBuilder s, List<String> labels, List<String> colours) {
        double x = LEFT;
        for (int i = 0; i < labels.size(); i++) {
            s.append("<rect x=\"").append(fmt2(x)).append("\" y=\"6\" width=\"10\" height=\"10\" fill=\"")
                    .append(colours.get(i)).append("\"/><text x=\"").append(fmt2(x + 14)).append("\" y=\"15\">")
                    .append(esc(labels.get(i))).append("</text>\n");
            x += 28 + 6.6 * labels.get(i).length();
        }
    }

    private static void rect(StringBuilder s, double x, double y, double w, double h, String fill, String title) {
        if (h <= 0) return;
        s.append("<rect x=\"").append(fmt2(x)).append("\" y=\"").append(fmt2(y)).append("\" width=\"").append(fmt2(Math.max(0.5, w - 1)))
                .append("\" height=\"").append(fmt2(h)).append("\" fill=\"").append(fill).append("\"><title>").append(esc(title))
                .append("</title></rect>\n");
    }

    private static String line(double x1, double y1, double x2, double y2) {
        return "<line x1=\"" + fmt2(x1) + "\" y1=\"" + fmt2(y1) + "\" x2=\"" + fmt2(x2) + "\" y2=\"" + fmt2(y2) + "\"/>";
    }

    private static String card(String title, String svg) {
        return "<div class=\"card\"><div><b>" + title + "</b></div>\n" + svg + "\n</div>\n";
    }

    private static String li(String label, String value) {
        return "<li>" + esc(label) + ": <b>" + value + "</b></li>\n";
    }

    /** HTML text and attribute escaping. */
    static String esc(String text) {
        StringBuilder s = new StringBuilder(text.length());
        for (char ch : text.toCharArray()) {
            switch (ch) {
                case '&' -> s.append("&amp;");
                case '<' -> s.append("&lt;");
                case '>' -> s.append("&gt;");
                case '"' -> s.append("&quot;");
                case '\'' -> s.append("&#39;");
                default -> s.append(ch);
            }
        }
        return s.toString();
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.6g", v).replaceAll("(\\.\\d*?)0+($|e)", "$1$2").replaceAll("\\.($|e)", "$1");
    }

    private static String fmt2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String fmt3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }
}
