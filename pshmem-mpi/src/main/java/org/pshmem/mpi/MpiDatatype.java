package org.pshmem.mpi;

import java.lang.foreign.ValueLayout;

/**
 * The MPI datatypes of Java's primitive array types. The integer types are MPI's fixed-width ones
 * ({@code MPI_INT8_T} to {@code MPI_INT64_T}), not C's {@code MPI_SHORT}, {@code MPI_INT} or {@code MPI_LONG},
 * whose sizes depend on the platform (a C {@code long} is 4 bytes on 64-bit Windows); a test checks every
 * type's size with {@code MPI_Type_size}.
 */
public enum MpiDatatype
{
    /** {@code byte[]}: {@code MPI_INT8_T}. */
    BYTE(byte[].class, ValueLayout.JAVA_BYTE),
    /** {@code short[]}: {@code MPI_INT16_T}. */
    SHORT(short[].class, ValueLayout.JAVA_SHORT),
    /** {@code int[]}: {@code MPI_INT32_T}. */
    INT(int[].class, ValueLayout.JAVA_INT),
    /** {@code long[]}: {@code MPI_INT64_T}. */
    LONG(long[].class, ValueLayout.JAVA_LONG),
    /** {@code float[]}: {@code MPI_FLOAT}. */
    FLOAT(float[].class, ValueLayout.JAVA_FLOAT),
    /** {@code double[]}: {@code MPI_DOUBLE}. */
    DOUBLE(double[].class, ValueLayout.JAVA_DOUBLE);

    private final Class<?> arrayType;
    private final ValueLayout layout;

    MpiDatatype(final Class<?> arrayType, final ValueLayout layout)
    {
        this.arrayType = arrayType;
        this.layout = layout;
    }

    /**
     * @return the Java array type whose elements this datatype describes.
     */
    public Class<?> arrayType()
    {
        return arrayType;
    }

    /**
     * @return the layout of one element in native memory.
     */
    public ValueLayout layout()
    {
        return layout;
    }

    /**
     * @return the size of one element in bytes.
     */
    public int bytes()
    {
        return (int)layout.byteSize();
    }

    /**
     * @param array a primitive array.
     * @return the datatype of its elements.
     * @throws IllegalArgumentException when {@code array} is not an array of one of these types.
     */
    public static MpiDatatype of(final Object array)
    {
        final Class<?> type = array.getClass();
        for (final MpiDatatype datatype : values())
        {
            if (datatype.arrayType == type)
            {
                return datatype;
            }
        }
        throw new IllegalArgumentException("not an array of an MPI datatype: " + type.getName());
    }
}
