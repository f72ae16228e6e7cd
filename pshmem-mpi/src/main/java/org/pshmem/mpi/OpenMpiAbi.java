package org.pshmem.mpi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * What Open MPI's C interface fixes at compile time and a program binding it at run time must know: integer
 * constants, the layout of {@code MPI_Status}, and the exported symbols whose addresses are the predefined
 * handles. Open MPI 4.x and 5.x agree on all of it (library {@code libmpi.so.40}); MPICH does not (its
 * handles are integers, its status has another layout).
 *
 * <p>Every value here is checked against {@code mpi.h} by {@code OpenMpiAbiTest}, which compiles a small C
 * program with {@code mpicc}, and against the library's behaviour by the ranks of {@code MpiJobTest}.
 */
public final class OpenMpiAbi
{
    /** {@code MPI_SUCCESS}. */
    public static final int SUCCESS = 0;
    /** {@code MPI_ANY_SOURCE}. */
    public static final int ANY_SOURCE = -1;
    /** {@code MPI_ANY_TAG}. */
    public static final int ANY_TAG = -1;
    /** {@code MPI_PROC_NULL}. */
    public static final int PROC_NULL = -2;
    /** {@code MPI_UNDEFINED}: the colour of a split that leaves the caller out. */
    public static final int UNDEFINED = -32766;
    /** {@code MPI_COMM_TYPE_SHARED}: the split type of ranks that can share memory. */
    public static final int COMM_TYPE_SHARED = 0;
    /** {@code MPI_MAX_ERROR_STRING}: room {@code MPI_Error_string} may fill, its terminating zero included. */
    public static final int MAX_ERROR_STRING = 256;
    /** {@code MPI_MAX_LIBRARY_VERSION_STRING}: room {@code MPI_Get_library_version} may fill. */
    public static final int MAX_LIBRARY_VERSION_STRING = 256;

    /**
     * {@code MPI_Status}: the three public fields, then Open MPI's own (whether cancelled, and the count in
     * bytes as a {@code size_t}).
     */
    public static final StructLayout STATUS = MemoryLayout.structLayout(
        ValueLayout.JAVA_INT.withName("MPI_SOURCE"),
        ValueLayout.JAVA_INT.withName("MPI_TAG"),
        ValueLayout.JAVA_INT.withName("MPI_ERROR"),
        ValueLayout.JAVA_INT.withName("_cancelled"),
        ValueLayout.JAVA_LONG.withName("_ucount"));
    /** Offset of {@code MPI_SOURCE} in {@link #STATUS}. */
    public static final long STATUS_SOURCE = offset("MPI_SOURCE");
    /** Offset of {@code MPI_TAG} in {@link #STATUS}. */
    public static final long STATUS_TAG = offset("MPI_TAG");
    /** Offset of {@code MPI_ERROR} in {@link #STATUS}. */
    public static final long STATUS_ERROR = offset("MPI_ERROR");

    /** {@code MPI_COMM_WORLD}. */
    public static final String COMM_WORLD = "ompi_mpi_comm_world";
    /** {@code MPI_COMM_SELF}. */
    public static final String COMM_SELF = "ompi_mpi_comm_self";
    /** {@code MPI_COMM_NULL}: what a split returns to a rank of colour {@link #UNDEFINED}. */
    public static final String COMM_NULL = "ompi_mpi_comm_null";
    /** {@code MPI_INFO_NULL}. */
    public static final String INFO_NULL = "ompi_mpi_info_null";
    /** {@code MPI_REQUEST_NULL}: what a completed request's handle becomes. */
    public static final String REQUEST_NULL = "ompi_request_null";
    /** {@code MPI_ERRORS_RETURN}: the error handler under which functions return codes rather than abort. */
    public static final String ERRORS_RETURN = "ompi_mpi_errors_return";

    private OpenMpiAbi()
    {
    }

    /**
     * @param datatype a datatype.
     * @return the symbol whose address is its handle.
     */
    public static String symbol(final MpiDatatype datatype)
    {
        return switch (datatype)
        {
            case BYTE -> "ompi_mpi_int8_t";
            case SHORT -> "ompi_mpi_int16_t";
            case INT -> "ompi_mpi_int32_t";
            case LONG -> "ompi_mpi_int64_t";
            case FLOAT -> "ompi_mpi_float";
            case DOUBLE -> "ompi_mpi_double";
        };
    }

    /**
     * @param op a reduction.
     * @return the symbol whose address is its handle.
     */
    public static String symbol(final MpiOp op)
    {
        return switch (op)
        {
            case SUM -> "ompi_mpi_op_sum";
            case MIN -> "ompi_mpi_op_min";
            case MAX -> "ompi_mpi_op_max";
        };
    }

    private static long offset(final String field)
    {
        return STATUS.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }
}
