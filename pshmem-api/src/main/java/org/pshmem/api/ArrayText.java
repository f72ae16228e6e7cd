package org.pshmem.api;

import java.util.function.LongFunction;

/**
 * Text forms of an array in the style of numpy: the one-line row summary of upstream's string form and the
 * multi-line form of {@code print(array)}. Large arrays are summarised with {@code ...}.
 */
final class ArrayText
{
    private static final long FULL_LIMIT = 1000;
    private static final int EDGE = 3;

    private ArrayText()
    {
    }

    /**
     * @return numpy's text of a float: {@code 3.} for whole values, else Java's shortest form.
     */
    static String decimal(final double value, final String javaText)
    {
        if (value == Math.rint(value) && Math.abs(value) < 1e16)
        {
            return (value == 0 && 1 / value < 0 ? "-" : "") + (long)value + ".";
        }
        return javaText;
    }

    /**
     * @return {@code [ row row ... ]} with all rows up to four, else the first two, {@code ...}, the last two.
     */
    static String summary(final long[] shape, final LongFunction<String> element)
    {
        final long[] strides = Extents.strides(shape);
        final StringBuilder text = new StringBuilder("[ ");
        final long rows = shape[0];
        for (final long row : rows <= 4 ? range(rows) : new long[] {0, 1, -1, rows - 2, rows - 1})
        {
            if (row < 0)
            {
                text.append("...");
            }
            else if (shape.length == 1)
            {
                text.append(element.apply(row));
            }
            else
            {
                appendNested(text, shape, strides, 1, row * strides[0], element, 0, true);
            }
            text.append(' ');
        }
        return text.append(']').toString();
    }

    /**
     * @return the array as numpy prints it, one row per line, elements right-aligned to a common width.
     */
    static String full(final long[] shape, final LongFunction<String> element)
    {
        if (Extents.count(shape) == 0)
        {
            return "[]";
        }
        final boolean summarise = Extents.count(shape) > FULL_LIMIT;
        final long[] strides = Extents.strides(shape);
        final int[] width = {0};
        appendNested(new StringBuilder(), shape, strides, 0, 0, flat ->
        {
            final String text = element.apply(flat);
            width[0] = Math.max(width[0], text.length());
            return text;
        }, 0, summarise);
        final StringBuilder text = new StringBuilder();
        appendNested(text, shape, strides, 0, 0, element, width[0], summarise);
        return text.toString();
    }

    private static void appendNested(
        final StringBuilder text, final long[] shape, final long[] strides, final int dim, final long base,
        final LongFunction<String> element, final int width, final boolean summarise)
    {
        final boolean innermost = dim == shape.length - 1;
        final long extent = shape[dim];
        text.append('[');
        boolean first = true;
        for (final long i : summarise && extent > 2 * EDGE ? edges(extent) : range(extent))
        {
            if (!first)
            {
                if (innermost || width == 0 && dim > 0)
                {
                    text.append(' ');
                }
                else
                {
                    text.append("\n".repeat(shape.length - dim - 1)).append(" ".repeat(dim + 1));
                }
            }
            first = false;
            if (i < 0)
            {
                text.append("...");
            }
            else if (innermost)
            {
                final String value = element.apply(base + i);
                text.append(" ".repeat(Math.max(0, width - value.length()))).append(value);
            }
            else
            {
                appendNested(text, shape, strides, dim + 1, base + i * strides[dim], element, width, summarise);
            }
        }
        text.append(']');
    }

    private static long[] range(final long count)
    {
        final long[] indices = new long[(int)count];
        for (int i = 0; i < indices.length; i++)
        {
            indices[i] = i;
        }
        return indices;
    }

    private static long[] edges(final long extent)
    {
        final long[] indices = new long[2 * EDGE + 1];
        for (int i = 0; i < EDGE; i++)
        {
            indices[i] = i;
            indices[EDGE + 1 + i] = extent - EDGE + i;
        }
        indices[EDGE] = -1;
        return indices;
    }
}
