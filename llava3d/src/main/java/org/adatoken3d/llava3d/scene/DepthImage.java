package org.adatoken3d.llava3d.scene;

/** A 16-bit depth image as ScanNet stores it: unsigned depth units (millimetres), 0 where depth is unknown. */
public record DepthImage(int width, int height, char[] units) {
    public DepthImage {
        if (width < 1 || height < 1) throw new IllegalArgumentException("depth size " + width + "x" + height + " is empty");
        if (units.length != (long) width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " depth image needs " + (long) width * height + " values, got " + units.length);
        }
    }

    public int get(int x, int y) {
        return units[y * width + x];
    }

    /** Whether any pixel has a depth. */
    public boolean hasDepth() {
        for (char u : units) if (u != 0) return true;
        return false;
    }
}
