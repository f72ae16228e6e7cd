package org.pshmem.mpi;

/**
 * An MPI function returned an error code. The message names the function, the code and the library's own text
 * for it ({@code MPI_Error_string}), e.g. {@code MPI_Send failed with error 6: MPI_ERR_RANK: invalid rank}.
 */
public final class MpiException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** The MPI function that failed. */
    private final String function;
    /** The code it returned. */
    private final int errorCode;

    /**
     * @param function  the MPI function that failed, e.g. {@code MPI_Send}.
     * @param errorCode the code it returned.
     * @param text      the library's text for the code, or null when it gave none.
     */
    public MpiException(final String function, final int errorCode, final String text)
    {
        super(function + " failed with error " + errorCode + (text == null || text.isEmpty() ? "" : ": " + text));
        this.function = function;
        this.errorCode = errorCode;
    }

    /**
     * @return the MPI function that failed.
     */
    public String function()
    {
        return function;
    }

    /**
     * @return the error code the function returned.
     */
    public int errorCode()
    {
        return errorCode;
    }
}
