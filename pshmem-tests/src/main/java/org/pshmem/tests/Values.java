package org.pshmem.tests;

import java.nio.Buffer;
import java.util.function.LongUnaryOperator;

import org.pshmem.api.ElementType;
import org.pshmem.api.Region;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedByteArray;
import org.pshmem.api.SharedDoubleArray;
import org.pshmem.api.SharedFloatArray;
import org.pshmem.api.SharedIntArray;
import org.pshmem.api.SharedLongArray;
import org.pshmem.api.SharedShortArray;

/**
 * Type-generic access to arrays of any element type, so one scenario covers them all. Values used by the
 * scenarios are small whole numbers, exact in every type.
 */
public final class Values
{
    private Values()
    {
    }

    /**
     * @param type   element type.
     * @param length number of elements.
     * @param value  element i's value, from i.
     * @return a Java array of {@code type} whose element i is {@code value.applyAsLong(i)}.
     */
    public static Object make(final ElementType type, final int length, final LongUnaryOperator value)
    {
        final Object array = type.newArray(length);
        for (int i = 0; i < length; i++)
        {
            final long v = value.applyAsLong(i);
            switch (type)
            {
                case INT8: ((byte[])array)[i] = (byte)v; break;
                case INT16: ((short[])array)[i] = (short)v; break;
                case INT32: ((int[])array)[i] = (int)v; break;
                case INT64: ((long[])array)[i] = v; break;
                case FLOAT32: ((float[])array)[i] = v; break;
                default: ((double[])array)[i] = v;
            }
        }
        return array;
    }

    /**
     * @param <A>    the array's Java array type.
     * @param shm    the array whose element type to use.
     * @param length number of elements.
     * @param value  element i's value, from i.
     * @return a Java array of {@code shm}'s type whose element i is {@code value.applyAsLong(i)}.
     */
    public static <A> A make(final SharedArray<A> shm, final int length, final LongUnaryOperator value)
    {
        // The element type fixes the Java array type: SharedDoubleArray is a SharedArray<double[]>, and so on.
        @SuppressWarnings("unchecked")
        final A array = (A)make(shm.elementType(), length, value);
        return array;
    }

    /**
     * @param shape an array's extents.
     * @return the region of the whole array.
     */
    public static Region whole(final long... shape)
    {
        return Region.of(new long[shape.length], shape);
    }

    /**
     * @param array a Java primitive array.
     * @param i     index.
     * @return element {@code i} of a Java primitive array, as a double.
     */
    public static double element(final Object array, final int i)
    {
        return java.lang.reflect.Array.getDouble(array, i);
    }

    /**
     * @param shm  the array.
     * @param flat flat index.
     * @return element {@code flat} of the node's copy, read through the typed {@code getFlat}.
     */
    public static double getFlat(final SharedArray<?> shm, final long flat)
    {
        if (shm instanceof SharedByteArray)
        {
            return ((SharedByteArray)shm).getFlat(flat);
        }
        if (shm instanceof SharedShortArray)
        {
            return ((SharedShortArray)shm).getFlat(flat);
        }
        if (shm instanceof SharedIntArray)
        {
            return ((SharedIntArray)shm).getFlat(flat);
        }
        if (shm instanceof SharedLongArray)
        {
            return ((SharedLongArray)shm).getFlat(flat);
        }
        if (shm instanceof SharedFloatArray)
        {
            return ((SharedFloatArray)shm).getFlat(flat);
        }
        return ((SharedDoubleArray)shm).getFlat(flat);
    }

    /**
     * @param shm   the array.
     * @param index one index per dimension.
     * @return element at {@code index}, read through the typed {@code get}.
     */
    public static double get(final SharedArray<?> shm, final long... index)
    {
        if (shm instanceof SharedByteArray)
        {
            return ((SharedByteArray)shm).get(index);
        }
        if (shm instanceof SharedShortArray)
        {
            return ((SharedShortArray)shm).get(index);
        }
        if (shm instanceof SharedIntArray)
        {
            return ((SharedIntArray)shm).get(index);
        }
        if (shm instanceof SharedLongArray)
        {
            return ((SharedLongArray)shm).get(index);
        }
        if (shm instanceof SharedFloatArray)
        {
            return ((SharedFloatArray)shm).get(index);
        }
        return ((SharedDoubleArray)shm).get(index);
    }

    /**
     * @param shm     the array.
     * @param leading leading indices.
     * @return the typed read-only view of the run selected by leading indices.
     */
    public static Buffer view(final SharedArray<?> shm, final long... leading)
    {
        if (shm instanceof SharedByteArray)
        {
            return ((SharedByteArray)shm).view(leading);
        }
        if (shm instanceof SharedShortArray)
        {
            return ((SharedShortArray)shm).view(leading);
        }
        if (shm instanceof SharedIntArray)
        {
            return ((SharedIntArray)shm).view(leading);
        }
        if (shm instanceof SharedLongArray)
        {
            return ((SharedLongArray)shm).view(leading);
        }
        if (shm instanceof SharedFloatArray)
        {
            return ((SharedFloatArray)shm).view(leading);
        }
        return ((SharedDoubleArray)shm).view(leading);
    }

    /**
     * @param buffer a typed buffer.
     * @param i      index.
     * @return element {@code i} of a typed buffer, as a double.
     */
    public static double element(final Buffer buffer, final int i)
    {
        if (buffer instanceof java.nio.ByteBuffer)
        {
            return ((java.nio.ByteBuffer)buffer).get(i);
        }
        if (buffer instanceof java.nio.ShortBuffer)
        {
            return ((java.nio.ShortBuffer)buffer).get(i);
        }
        if (buffer instanceof java.nio.IntBuffer)
        {
            return ((java.nio.IntBuffer)buffer).get(i);
        }
        if (buffer instanceof java.nio.LongBuffer)
        {
            return ((java.nio.LongBuffer)buffer).get(i);
        }
        if (buffer instanceof java.nio.FloatBuffer)
        {
            return ((java.nio.FloatBuffer)buffer).get(i);
        }
        return ((java.nio.DoubleBuffer)buffer).get(i);
    }

    /**
     * Checks the whole node copy equals {@code expected(flat index)}, through {@code copyTo}, {@code get}
     * and {@code getFlat}.
     *
     * @param <A>      the array's Java array type.
     * @param shm      the array.
     * @param expected expected value by flat index.
     * @param what     names the check in failure messages.
     * @throws AssertionError when an element differs.
     */
    public static <A> void expectAll(final SharedArray<A> shm, final LongUnaryOperator expected, final String what)
    {
        final long[] shape = shm.shape();
        final A copy = make(shm, (int)shm.size(), flat -> 0);
        shm.copyTo(whole(shape), copy);
        final long[] index = new long[shape.length];
        for (int flat = 0; flat < shm.size(); flat++)
        {
            final double want = expected.applyAsLong(flat);
            if (element(copy, flat) != want || getFlat(shm, flat) != want || get(shm, index) != want)
            {
                throw new AssertionError(what + ": element " + flat + " of " + shm.elementType().dtype() +
                    " array is " + element(copy, flat) + " (get: " + get(shm, index) + "), expected " + want);
            }
            for (int d = shape.length - 1; d >= 0 && ++index[d] == shape[d]; d--)
            {
                index[d] = 0;
            }
        }
    }
}
