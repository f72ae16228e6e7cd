package org.pshmem.api;

import java.lang.reflect.Array;

/**
 * Element types a {@link SharedArray} can hold, with the numpy-style names used in its string form.
 * {@link #INT8} also serves as uint8: store the low eight bits and read them back with
 * {@link SharedByteArray#getUnsigned(long...)} or {@link Byte#toUnsignedInt(byte)}.
 */
public enum ElementType
{
    /** {@code byte}, 1 byte. */
    INT8(1, "int8", byte[].class),
    /** {@code short}, 2 bytes. */
    INT16(2, "int16", short[].class),
    /** {@code int}, 4 bytes. */
    INT32(4, "int32", int[].class),
    /** {@code long}, 8 bytes. */
    INT64(8, "int64", long[].class),
    /** {@code float}, 4 bytes. */
    FLOAT32(4, "float32", float[].class),
    /** {@code double}, 8 bytes. */
    FLOAT64(8, "float64", double[].class);

    private final int byteSize;
    private final String dtype;
    private final Class<?> arrayClass;

    ElementType(final int byteSize, final String dtype, final Class<?> arrayClass)
    {
        this.byteSize = byteSize;
        this.dtype = dtype;
        this.arrayClass = arrayClass;
    }

    /**
     * Returns the bytes per element.
     *
     * @return bytes per element.
     */
    public int byteSize()
    {
        return byteSize;
    }

    /**
     * Returns the numpy-style name, such as {@code float64}.
     *
     * @return numpy-style name, such as {@code float64}.
     */
    public String dtype()
    {
        return dtype;
    }

    /**
     * Returns the Java array class that carries data of this type, such as {@code double[].class}.
     *
     * @return the Java array class that carries data of this type, such as {@code double[].class}.
     */
    public Class<?> arrayClass()
    {
        return arrayClass;
    }

    /**
     * Returns the element type whose Java array class is exactly that of {@code array}, or null.
     *
     * @param array any object, possibly null.
     * @return the element type whose Java array class is exactly that of {@code array}, or null.
     */
    public static ElementType ofArray(final Object array)
    {
        if (array != null)
        {
            for (final ElementType type : values())
            {
                if (type.arrayClass == array.getClass())
                {
                    return type;
                }
            }
        }
        return null;
    }

    /**
     * Returns a new zeroed Java array of this type.
     *
     * @param length number of elements.
     * @return a new zeroed Java array of this type.
     */
    public Object newArray(final int length)
    {
        return Array.newInstance(arrayClass.getComponentType(), length);
    }

    /**
     * @return a short description of a Java array's type for error messages, such as {@code int[]}.
     */
    static String describe(final Object array)
    {
        return null == array ? "null" : array.getClass().getSimpleName();
    }
}
