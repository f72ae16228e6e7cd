package org.pshmem.api;

/**
 * Row-major shape arithmetic: validation, element counts, strides and the numpy-style text of a shape.
 */
final class Extents
{
    private Extents()
    {
    }

    /**
     * @return why {@code shape} is not a valid array shape for {@code elementBytes}-byte elements, or null.
     */
    static String shapeProblem(final long[] shape, final int elementBytes)
    {
        if (null == shape)
        {
            return "shape is null";
        }
        if (shape.length == 0)
        {
            return "shape has no dimensions; give at least one extent";
        }
        long count = 1;
        for (int d = 0; d < shape.length; d++)
        {
            if (shape[d] < 0)
            {
                return "extent " + shape[d] + " of dimension " + d + " in shape " + text(shape) + " is negative";
            }
            try
            {
                count = Math.multiplyExact(count, shape[d]);
                Math.multiplyExact(count, elementBytes);
            }
            catch (final ArithmeticException ex)
            {
                return "shape " + text(shape) + " holds more than " + Long.MAX_VALUE + " bytes";
            }
        }
        return null;
    }

    static long count(final long[] shape)
    {
        long count = 1;
        for (final long extent : shape)
        {
            count *= extent;
        }
        return count;
    }

    static long[] strides(final long[] shape)
    {
        final long[] strides = new long[shape.length];
        long stride = 1;
        for (int d = shape.length - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= shape[d];
        }
        return strides;
    }

    /**
     * @return e.g. {@code (3, 5)}; a single extent reads {@code (7,)} like numpy.
     */
    static String text(final long[] shape)
    {
        final StringBuilder text = new StringBuilder("(");
        for (int d = 0; d < shape.length; d++)
        {
            text.append(d > 0 ? ", " : "").append(shape[d]);
        }
        return text.append(shape.length == 1 ? ",)" : ")").toString();
    }
}
