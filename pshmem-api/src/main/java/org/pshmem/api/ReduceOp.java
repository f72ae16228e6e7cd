package org.pshmem.api;

/**
 * Element-wise reduction applied by {@link Communicator#allReduce(long, ReduceOp)} and its overloads.
 */
public enum ReduceOp
{
    /** Sum; integer sums wrap on overflow like Java arithmetic. */
    SUM,
    /** Minimum. */
    MIN,
    /** Maximum. */
    MAX;

    /**
     * Returns the reduction of the two.
     *
     * @param a left operand.
     * @param b right operand.
     * @return the reduction of the two.
     */
    public long apply(final long a, final long b)
    {
        switch (this)
        {
            case SUM: return a + b;
            case MIN: return Math.min(a, b);
            default: return Math.max(a, b);
        }
    }

    /**
     * Returns the reduction of the two.
     *
     * @param a left operand.
     * @param b right operand.
     * @return the reduction of the two.
     */
    public double apply(final double a, final double b)
    {
        switch (this)
        {
            case SUM: return a + b;
            case MIN: return Math.min(a, b);
            default: return Math.max(a, b);
        }
    }
}
