package org.pshmem.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * A rectangular block of an n-dimensional array: where it starts ({@link #offset()}) and its extents
 * ({@link #shape()}), one entry of each per dimension. Immutable; it checks its own arguments, so every
 * region has at least one dimension, as many offset entries as extents, and no negative entry. Whether it
 * fits a given array is checked by the array that uses it.
 *
 * <pre>{@code
 * Region block = Region.at(1, 1).size(2, 3);   // rows 1-2, columns 1-3
 * Region same = Region.of(new long[] {1, 1}, new long[] {2, 3});
 * }</pre>
 */
public final class Region
{
    private final long[] offset;
    private final long[] shape;
    private final long count;

    private Region(final long[] offset, final long[] shape)
    {
        if (offset.length != shape.length)
        {
            throw new IllegalArgumentException("Region: offset " + Extents.text(offset) + " has " + offset.length +
                " entries but shape " + Extents.text(shape) + " has " + shape.length +
                "; give one of each per dimension");
        }
        if (shape.length == 0)
        {
            throw new IllegalArgumentException("Region: no dimensions; give at least one offset entry and one extent");
        }
        long product = 1;
        for (int d = 0; d < shape.length; d++)
        {
            if (offset[d] < 0)
            {
                throw new IllegalArgumentException("Region: offset " + Extents.text(offset) +
                    " is negative in dimension " + d);
            }
            if (shape[d] < 0)
            {
                throw new IllegalArgumentException("Region: shape " + Extents.text(shape) +
                    " is negative in dimension " + d);
            }
            try
            {
                product = Math.multiplyExact(product, shape[d]);
            }
            catch (final ArithmeticException ex)
            {
                throw new IllegalArgumentException("Region: shape " + Extents.text(shape) + " holds more than " +
                    Long.MAX_VALUE + " elements");
            }
        }
        this.offset = offset;
        this.shape = shape;
        this.count = product;
    }

    /**
     * Starts a region at {@code offset}; {@link Corner#size(long...)} completes it.
     *
     * @param offset where the block starts, one entry per dimension, each zero or more; copied.
     * @return the corner, to be given a size.
     * @throws NullPointerException when {@code offset} is null.
     */
    public static Corner at(final long... offset)
    {
        return new Corner(Objects.requireNonNull(offset, "Region.at(): offset is null").clone());
    }

    /**
     * Returns the region.
     *
     * @param offset where the block starts, one entry per dimension, each zero or more; copied.
     * @param shape  the block's extents, as many as {@code offset} has entries, each zero or more; copied.
     * @return the region.
     * @throws NullPointerException     when {@code offset} or {@code shape} is null.
     * @throws IllegalArgumentException when they differ in length, have no entries or hold a negative one.
     */
    public static Region of(final long[] offset, final long[] shape)
    {
        Objects.requireNonNull(offset, "Region.of(): offset is null");
        Objects.requireNonNull(shape, "Region.of(): shape is null");
        return new Region(offset.clone(), shape.clone());
    }

    /**
     * Returns a copy of where the block starts, one entry per dimension.
     *
     * @return a copy of where the block starts, one entry per dimension.
     */
    public long[] offset()
    {
        return offset.clone();
    }

    /**
     * Returns a copy of the block's extents, one per dimension.
     *
     * @return a copy of the block's extents, one per dimension.
     */
    public long[] shape()
    {
        return shape.clone();
    }

    /**
     * Returns the number of dimensions, one or more.
     *
     * @return number of dimensions, one or more.
     */
    public int dimensions()
    {
        return shape.length;
    }

    /**
     * Returns the number of elements in the block, the product of its extents (zero when any extent is).
     *
     * @return number of elements in the block, the product of its extents (zero when any extent is).
     */
    public long count()
    {
        return count;
    }

    /** Offset without a copy, for the array that checks and uses the region. */
    long[] offsetArray()
    {
        return offset;
    }

    /** Shape without a copy, for the array that checks and uses the region. */
    long[] shapeArray()
    {
        return shape;
    }

    /**
     * Returns true when {@code other} is a region with the same offset and shape.
     *
     * @param other any object.
     * @return true when {@code other} is a region with the same offset and shape.
     */
    @Override
    public boolean equals(final Object other)
    {
        return this == other || other instanceof Region &&
            Arrays.equals(offset, ((Region)other).offset) && Arrays.equals(shape, ((Region)other).shape);
    }

    /**
     * Returns a hash of the offset and shape.
     *
     * @return a hash of the offset and shape.
     */
    @Override
    public int hashCode()
    {
        return 31 * Arrays.hashCode(offset) + Arrays.hashCode(shape);
    }

    /**
     * Returns e.g. {@code Region[offset=(1, 1), shape=(2, 3)]}; one dimension reads {@code (4,)} as numpy does.
     *
     * @return e.g. {@code Region[offset=(1, 1), shape=(2, 3)]}; one dimension reads {@code (4,)} as numpy does.
     */
    @Override
    public String toString()
    {
        return "Region[offset=" + Extents.text(offset) + ", shape=" + Extents.text(shape) + "]";
    }

    /**
     * Where a region starts, from {@link Region#at(long...)}, waiting for its size.
     */
    public static final class Corner
    {
        private final long[] offset;

        private Corner(final long[] offset)
        {
            this.offset = offset;
        }

        /**
         * Returns the region at this corner with {@code shape}.
         *
         * @param shape the block's extents, one per entry of the offset, each zero or more; copied.
         * @return the region at this corner with {@code shape}.
         * @throws NullPointerException     when {@code shape} is null.
         * @throws IllegalArgumentException when it and the offset differ in length, have no entries or hold a
         *                                  negative one.
         */
        public Region size(final long... shape)
        {
            return new Region(offset, Objects.requireNonNull(shape, "Region.size(): shape is null").clone());
        }

        /**
         * Returns e.g. {@code Region.Corner[offset=(1, 1)]}.
         *
         * @return e.g. {@code Region.Corner[offset=(1, 1)]}.
         */
        @Override
        public String toString()
        {
            return "Region.Corner[offset=" + Extents.text(offset) + "]";
        }
    }
}
