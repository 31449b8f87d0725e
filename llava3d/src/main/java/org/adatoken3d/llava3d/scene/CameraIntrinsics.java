package org.adatoken3d.llava3d.scene;

import java.nio.file.Path;

/** A pinhole camera: focal lengths and principal point in pixels (the upper-left 3×3 of ScanNet's 4×4 files). */
public record CameraIntrinsics(double fx, double fy, double cx, double cy) {

    /** Reads them from a 4×4 (or 3×3 padded to 4×4) matrix, checking they describe a camera. */
    public static CameraIntrinsics of(Path file, Matrix4 k) {
        return of(new Scene.FileLocation(file, null), k);
    }

    static CameraIntrinsics of(Scene.FileLocation where, Matrix4 k) {
        CameraIntrinsics c = new CameraIntrinsics(k.get(0, 0), k.get(1, 1), k.get(0, 2), k.get(1, 2));
        if (!(c.fx > 0 && c.fy > 0 && Double.isFinite(c.fx) && Double.isFinite(c.fy))) {
            throw where.error(String.format("focal lengths fx=%g fy=%g must be positive and finite", c.fx, c.fy));
        }
        if (!Double.isFinite(c.cx) || !Double.isFinite(c.cy)) {
            throw where.error(String.format("principal point (%g, %g) is not finite", c.cx, c.cy));
        }
        return c;
    }
}
