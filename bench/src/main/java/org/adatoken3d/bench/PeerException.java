package org.adatoken3d.bench;

/**
 * A peer a benchmark compares with (OpenBLAS through numpy, PyTorch) could not run or gave no usable result; the
 * message is one line saying which and what to install or look at.
 */
public final class PeerException extends RuntimeException {
    public PeerException(String message) {
        super(message);
    }
}
