package org.adatoken3d.kernels.tornado;

import java.util.Map;
import java.util.TreeMap;

/**
 * First-fit allocation of element ranges in one device pool of fixed size: TornadoVM cannot add buffers to a built
 * execution plan, so every tensor is a range of a pool sized when the backend opens. Freed ranges merge with free
 * neighbours.
 */
final class Pool {
    private final String name;
    private final String sizeProperty;
    private final int capacity;
    /** Free ranges by start offset: start → length. */
    private final TreeMap<Integer, Integer> free = new TreeMap<>();

    Pool(String name, String sizeProperty, int capacity) {
        this.name = name;
        this.sizeProperty = sizeProperty;
        this.capacity = capacity;
        if (capacity > 0) free.put(0, capacity);
    }

    int capacity() {
        return capacity;
    }

    /** The start of a free range of {@code length} elements (at least one, so every tensor has an address). */
    int allocate(long length) {
        long n = Math.max(1, length);
        for (Map.Entry<Integer, Integer> e : free.entrySet()) {
            // Key and length are read before the removal: TreeMap may reuse the entry for its successor.
            int start = e.getKey(), size = e.getValue();
            if (size >= n) {
                free.remove(start);
                if (size > n) free.put(start + (int) n, size - (int) n);
                return start;
            }
        }
        throw new IllegalStateException("tornado backend: the " + name + " pool (" + capacity + " elements) has no room for "
                + n + " more; start with a larger -D" + sizeProperty + "=MiB");
    }

    void release(int start, long length) {
        int n = (int) Math.max(1, length);
        Map.Entry<Integer, Integer> before = free.floorEntry(start);
        if (before != null && before.getKey() + before.getValue() == start) {
            start = before.getKey();
            n += before.getValue();
            free.remove(start);
        }
        Integer after = free.get(start + n);
        if (after != null) {
            free.remove(start + n);
            n += after;
        }
        free.put(start, n);
    }
}
