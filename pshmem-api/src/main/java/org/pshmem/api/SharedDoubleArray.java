package org.pshmem.api;

import java.nio.DoubleBuffer;

/**
 * A {@link SharedArray} of {@code double} ({@link ElementType#FLOAT64}), with typed reads of this node's copy.
 */
public final class SharedDoubleArray extends SharedArray<double[]>
{
    private final DoubleBuffer[] windows;
    private final DoubleBuffer first;

    SharedDoubleArray(final Allocation allocation)
    {
        super(allocation);
        windows = windows(new DoubleBuffer[windowCount()], b -> b.asDoubleBuffer());
        first = windows.length > 0 ? windows[0] : null;
    }

    /**
     * Reads one element of this node's copy (local).
     *
     * @param index one index per dimension.
     * @return the element.
     * @throws IndexOutOfBoundsException when an index is out of range.
     */
    public double get(final long... index)
    {
        return at(flatIndex("get()", index));
    }

    /**
     * Reads one element by its row-major position (local).
     *
     * @param index from 0 to {@code size() - 1}.
     * @return the element.
     */
    public double getFlat(final long index)
    {
        if (inOpenFirstWindow(index))
        {
            return first.get((int)index);
        }
        return at(checkFlat("getFlat()", index));
    }

    /**
     * A read-only view of this node's memory, with no copy, of the contiguous run selected by leading indices:
     * with one index fewer than the dimensions, a row along the last dimension; with none, the whole array.
     * Later {@code set()} calls show through it. The buffer is valid until {@link #close()}: after that, at the
     * latest once every rank of the node has closed the array, reading it throws {@link IllegalStateException}
     * on Java 22 and later and reads zeros on Java 17 to 21; it never crashes the JVM.
     *
     * @param leading leading indices.
     * @return a read-only buffer positioned at 0.
     * @throws IllegalStateException when the array was closed on this rank.
     */
    public DoubleBuffer view(final long... leading)
    {
        final ViewRange range = viewRange("view()", leading);
        return slice(range.start(), range.length());
    }

    /**
     * A read-only view, with no copy, of {@code length} elements from row-major position {@code start}. Valid
     * until {@link #close()}, after which reading it throws {@link IllegalStateException} (Java 22 and later) or
     * reads zeros (Java 17 to 21), as for {@link #view(long...)}.
     *
     * @param start  first element.
     * @param length number of elements.
     * @return a read-only buffer positioned at 0.
     * @throws IllegalStateException when the array was closed on this rank.
     */
    public DoubleBuffer flatView(final long start, final int length)
    {
        final ViewRange range = checkedRange("flatView()", start, length);
        return slice(range.start(), range.length());
    }

    /**
     * The sum of a block of this node's copy (local, no communication): numpy's {@code shm[block].sum()}, read
     * straight from node memory at memory speed (several accumulators; no copy).
     * The {@code double} elements are added in eight interleaved partial sums, so the last
     * bits may differ from a left-to-right loop (as numpy's pairwise sum does); the sum is NaN when an element is
     * NaN; an empty region sums to 0.
     *
     * <p>Memory consistency: a local read of the node's copy like {@code get()}: it sees every element written by a
     * {@code set()} or {@code assign()} that has returned on this rank; elements written meanwhile may be seen
     * old or new.
     *
     * @param region the block: as many dimensions as this array, and inside it.
     * @return the sum of its elements.
     * @throws IllegalArgumentException when {@code region} is null, has another number of dimensions or does not
     *                                  fit.
     * @throws IllegalStateException    when the array was closed on this rank.
     */
    public double sum(final Region region)
    {
        final double[] total = {0};
        forEachRun("sum()", region, (window, at, count) ->
            total[0] += Reductions.sum(windows[window], at, at + count));
        return total[0];
    }

    /**
     * The smallest element of a block of this node's copy (local, no communication): numpy's
     * {@code shm[block].min()}, read straight from node memory at memory speed.
     * A NaN element makes the result NaN, as in numpy; of -0.0 and 0.0 either may be returned.
     *
     * <p>Memory consistency: a local read of the node's copy like {@code get()}: it sees every element written by a
     * {@code set()} or {@code assign()} that has returned on this rank; elements written meanwhile may be seen
     * old or new.
     *
     * @param region the block: as many dimensions as this array, inside it, and not empty.
     * @return its smallest element.
     * @throws IllegalArgumentException when {@code region} is null, has another number of dimensions, does not fit
     *                                  or is empty (a minimum has no value then, as numpy says too).
     * @throws IllegalStateException    when the array was closed on this rank.
     */
    public double min(final Region region)
    {
        final double[] found = {0};
        final boolean[] any = {false};
        final long count = forEachRun("min()", region, (window, at, n) ->
        {
            final double part = Reductions.min(windows[window], at, at + n);
            found[0] = any[0] ? Reductions.minOf(found[0], part) : part;
            any[0] = true;
        });
        if (count == 0)
        {
            throw emptyReduction("min()", region);
        }
        return found[0];
    }

    /**
     * The largest element of a block of this node's copy (local, no communication): numpy's
     * {@code shm[block].max()}, read straight from node memory at memory speed.
     * A NaN element makes the result NaN, as in numpy; of -0.0 and 0.0 either may be returned.
     *
     * <p>Memory consistency: a local read of the node's copy like {@code get()}: it sees every element written by a
     * {@code set()} or {@code assign()} that has returned on this rank; elements written meanwhile may be seen
     * old or new.
     *
     * @param region the block: as many dimensions as this array, inside it, and not empty.
     * @return its largest element.
     * @throws IllegalArgumentException when {@code region} is null, has another number of dimensions, does not fit
     *                                  or is empty (a maximum has no value then, as numpy says too).
     * @throws IllegalStateException    when the array was closed on this rank.
     */
    public double max(final Region region)
    {
        final double[] found = {0};
        final boolean[] any = {false};
        final long count = forEachRun("max()", region, (window, at, n) ->
        {
            final double part = Reductions.max(windows[window], at, at + n);
            found[0] = any[0] ? Reductions.maxOf(found[0], part) : part;
            any[0] = true;
        });
        if (count == 0)
        {
            throw emptyReduction("max()", region);
        }
        return found[0];
    }

    private DoubleBuffer slice(final long start, final int length)
    {
        if (length == 0)
        {
            return DoubleBuffer.allocate(0).asReadOnlyBuffer();
        }
        exported();
        return windows[windowOf(start)].slice(positionOf(start), length).asReadOnlyBuffer();
    }

    private double at(final long flat)
    {
        return windows[windowOf(flat)].get(positionOf(flat));
    }

    @Override
    void putRun(final int window, final int at, final double[] source, final int offset, final int count)
    {
        windows[window].put(at, source, offset, count);
    }

    @Override
    void getRun(final int window, final int at, final double[] dest, final int offset, final int count)
    {
        windows[window].get(at, dest, offset, count);
    }

    @Override
    String format(final long flat)
    {
        return ArrayText.decimal(at(flat), Double.toString(at(flat)));
    }
}
