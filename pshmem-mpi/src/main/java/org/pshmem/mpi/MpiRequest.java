package org.pshmem.mpi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A non-blocking operation ({@code MPI_Irecv}, {@code MPI_Isend}, {@code MPI_Ibarrier}, {@code MPI_Iallreduce},
 * {@code MPI_Ibcast}, {@code MPI_Iallgather})
 * and the native memory it owns: the request slot and the buffers the library reads or writes. That memory lives
 * until the request completes (found by {@link #test()}) or is withdrawn by {@link #close()}. A result (a
 * received message, a reduction) is copied into the caller's array on completion, so no Java array is handed to
 * the library.
 *
 * <p>One owner: the object may move between threads, but is used by one at a time.
 */
public final class MpiRequest implements AutoCloseable
{
    /** What the request delivers into a Java array when it completes. */
    enum Kind
    {
        /** A receive: as many elements as the message holds ({@code MPI_Get_count}), and a status. */
        RECEIVE,
        /** A collective with a result of a known count. */
        RESULT,
        /** Nothing: a send or a barrier. */
        NONE
    }

    private final MpiLibrary library;
    private final Arena arena;
    private final MemorySegment request;
    private final Kind kind;
    private final MemorySegment buffer;
    private final MpiDatatype type;
    private final Object array;
    private final int offset;
    private final int count;
    private MpiStatus status;
    private boolean complete;
    private boolean closed;

    MpiRequest(final MpiLibrary library, final Arena arena, final MemorySegment request, final Kind kind,
        final MemorySegment buffer, final MpiDatatype type, final Object array, final int offset, final int count)
    {
        this.library = library;
        this.arena = arena;
        this.request = request;
        this.kind = kind;
        this.buffer = buffer;
        this.type = type;
        this.array = array;
        this.offset = offset;
        this.count = count;
    }

    /**
     * {@code MPI_Test}: does not wait. The first call that finds the operation complete copies its result into
     * the caller's array and frees the request's native memory; later calls return true at once.
     *
     * @return whether the operation has completed.
     * @throws IllegalStateException when the request was closed before it completed.
     */
    public boolean test()
    {
        if (complete)
        {
            return true;
        }
        if (closed)
        {
            throw new IllegalStateException("the request was withdrawn (closed) before it completed");
        }
        final MpiStatus done;
        try (Arena scratch = Arena.ofConfined())
        {
            done = library.test(scratch, request, kind == Kind.RECEIVE ? type : null);
        }
        if (done == null)
        {
            return false;
        }
        switch (kind)
        {
            case RECEIVE -> MpiLibrary.copyOut(type, buffer, array, offset, done.count());
            case RESULT -> MpiLibrary.copyOut(type, buffer, array, offset, count);
            case NONE ->
            {
            }
        }
        status = kind == Kind.RECEIVE ? done : null;
        complete = true;
        closed = true;
        arena.close();
        return true;
    }

    /**
     * @return whether the operation has completed and its result is in the array.
     */
    public boolean isComplete()
    {
        return complete;
    }

    /**
     * @return a completed receive's sender, tag and number of elements; null before completion and for requests
     * other than receives.
     */
    public MpiStatus status()
    {
        return status;
    }

    /**
     * Withdraws a receive that has not completed ({@code MPI_Cancel}, then {@code MPI_Wait} until the library lets
     * go of the buffer) and frees the native memory; a message that matched before the cancel is lost to the
     * caller. Any other request that has not completed is waited for ({@code MPI_Wait}), as MPI cannot withdraw
     * sends and collectives reliably. Does nothing after completion or a first close.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            if (!library.isNull(request))
            {
                library.finish(request, kind == Kind.RECEIVE);
            }
        }
        finally
        {
            arena.close();
        }
    }
}
