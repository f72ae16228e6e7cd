package org.pshmem.mpi;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.EnumMap;
import java.util.Map;

import org.pshmem.spi.Setting;

/**
 * The system's MPI library, bound through {@code java.lang.foreign}: the few functions a transport needs, with
 * Java arguments. Buffers are copied between Java arrays and native memory around each call, so no Java array
 * is pinned or handed to the library.
 *
 * <p>Handles ({@code MPI_COMM_WORLD}, datatypes, reductions) are the addresses of symbols the library exports,
 * as in Open MPI's {@code mpi.h}; integer constants are those of {@link OpenMpiAbi}. Only Open MPI's interface is
 * bound (4.x and 5.x, {@code libmpi.so.40}).
 *
 * <p>Every function that returns an error code throws {@link MpiException} for any code but
 * {@code MPI_SUCCESS}. For that, {@link #initThread} sets the error handler {@code MPI_ERRORS_RETURN} on the
 * world and self communicators (communicators split from them inherit it); MPI's default would abort the job.
 *
 * <p>One process loads one MPI library and initialises it once: {@link #system()} gives that instance.
 * Thread safety is MPI's: every method may be called from several threads only when {@link #initThread}
 * returned {@link ThreadLevel#MULTIPLE}.
 */
public final class MpiLibrary
{
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final AddressLayout PTR = ValueLayout.ADDRESS;

    private final String name;
    private final SymbolLookup lookup;

    private final MethodHandle initThread;
    private final MethodHandle initialized;
    private final MethodHandle finalized;
    private final MethodHandle finalize;
    private final MethodHandle abort;
    private final MethodHandle commRank;
    private final MethodHandle commSize;
    private final MethodHandle commSplit;
    private final MethodHandle commSplitType;
    private final MethodHandle commFree;
    private final MethodHandle commSetErrhandler;
    private final MethodHandle barrier;
    private final MethodHandle bcast;
    private final MethodHandle allreduce;
    private final MethodHandle allgather;
    private final MethodHandle send;
    private final MethodHandle recv;
    private final MethodHandle iprobe;
    private final MethodHandle irecv;
    private final MethodHandle isend;
    private final MethodHandle ibarrier;
    private final MethodHandle iallreduce;
    private final MethodHandle ibcast;
    private final MethodHandle iallgather;
    private final MethodHandle test;
    private final MethodHandle cancel;
    private final MethodHandle waitRequest;
    private final MethodHandle getCount;
    private final MethodHandle typeSize;
    private final MethodHandle errorString;
    private final MethodHandle libraryVersion;

    private final MpiComm world;
    private final MpiComm self;
    private final MemorySegment commNull;
    private final MemorySegment infoNull;
    private final MemorySegment requestNull;
    private final MemorySegment errorsReturn;
    private final Map<MpiDatatype, MemorySegment> datatypes = new EnumMap<>(MpiDatatype.class);
    private final Map<MpiOp, MemorySegment> ops = new EnumMap<>(MpiOp.class);

    private MpiLibrary(final String name, final SymbolLookup lookup)
    {
        this.name = name;
        this.lookup = lookup;
        initThread = function("MPI_Init_thread", INT, PTR, PTR, INT, PTR);
        initialized = function("MPI_Initialized", INT, PTR);
        finalized = function("MPI_Finalized", INT, PTR);
        finalize = function("MPI_Finalize", INT);
        abort = function("MPI_Abort", INT, PTR, INT);
        commRank = function("MPI_Comm_rank", INT, PTR, PTR);
        commSize = function("MPI_Comm_size", INT, PTR, PTR);
        commSplit = function("MPI_Comm_split", INT, PTR, INT, INT, PTR);
        commSplitType = function("MPI_Comm_split_type", INT, PTR, INT, INT, PTR, PTR);
        commFree = function("MPI_Comm_free", INT, PTR);
        commSetErrhandler = function("MPI_Comm_set_errhandler", INT, PTR, PTR);
        barrier = function("MPI_Barrier", INT, PTR);
        bcast = function("MPI_Bcast", INT, PTR, INT, PTR, INT, PTR);
        allreduce = function("MPI_Allreduce", INT, PTR, PTR, INT, PTR, PTR, PTR);
        allgather = function("MPI_Allgather", INT, PTR, INT, PTR, PTR, INT, PTR, PTR);
        send = function("MPI_Send", INT, PTR, INT, PTR, INT, INT, PTR);
        recv = function("MPI_Recv", INT, PTR, INT, PTR, INT, INT, PTR, PTR);
        iprobe = function("MPI_Iprobe", INT, INT, INT, PTR, PTR, PTR);
        irecv = function("MPI_Irecv", INT, PTR, INT, PTR, INT, INT, PTR, PTR);
        isend = function("MPI_Isend", INT, PTR, INT, PTR, INT, INT, PTR, PTR);
        ibarrier = function("MPI_Ibarrier", INT, PTR, PTR);
        iallreduce = function("MPI_Iallreduce", INT, PTR, PTR, INT, PTR, PTR, PTR, PTR);
        ibcast = function("MPI_Ibcast", INT, PTR, INT, PTR, INT, PTR, PTR);
        iallgather = function("MPI_Iallgather", INT, PTR, INT, PTR, PTR, INT, PTR, PTR, PTR);
        test = function("MPI_Test", INT, PTR, PTR, PTR);
        cancel = function("MPI_Cancel", INT, PTR);
        waitRequest = function("MPI_Wait", INT, PTR, PTR);
        getCount = function("MPI_Get_count", INT, PTR, PTR, PTR);
        typeSize = function("MPI_Type_size", INT, PTR, PTR);
        errorString = function("MPI_Error_string", INT, INT, PTR, PTR);
        libraryVersion = function("MPI_Get_library_version", INT, PTR, PTR);

        world = new MpiComm(symbol(OpenMpiAbi.COMM_WORLD), true);
        self = new MpiComm(symbol(OpenMpiAbi.COMM_SELF), true);
        commNull = symbol(OpenMpiAbi.COMM_NULL);
        infoNull = symbol(OpenMpiAbi.INFO_NULL);
        requestNull = symbol(OpenMpiAbi.REQUEST_NULL);
        errorsReturn = symbol(OpenMpiAbi.ERRORS_RETURN);
        for (final MpiDatatype datatype : MpiDatatype.values())
        {
            datatypes.put(datatype, symbol(OpenMpiAbi.symbol(datatype)));
        }
        for (final MpiOp op : MpiOp.values())
        {
            ops.put(op, symbol(OpenMpiAbi.symbol(op)));
        }
    }

    /**
     * The process's MPI library: the one named by the setting {@link Setting#MPI_LIBRARY} (system property
     * {@code pshmem.mpiLibrary}, environment variable {@code PSHMEM_MPI_LIBRARY}), by default Open MPI's
     * {@code libmpi.so.40}. Loaded at the first call.
     *
     * @return the library.
     * @throws IllegalStateException when it cannot be loaded or lacks a symbol; the message names what was tried.
     */
    public static MpiLibrary system()
    {
        return SystemLibrary.LIBRARY;
    }

    /**
     * Loads an MPI library. Meant for tests and tools: a process initialises MPI once, through {@link #system()}.
     *
     * @param nameOrPath a library name for the dynamic loader (e.g. {@code libmpi.so.40}) or a path.
     * @return the bound library.
     * @throws IllegalStateException when it cannot be loaded or lacks a symbol; the message names it.
     */
    public static MpiLibrary open(final String nameOrPath)
    {
        return open(nameOrPath, "given");
    }

    // Loading a native library is restricted: the module's users enable native access (README).
    @SuppressWarnings("restricted")
    private static MpiLibrary open(final String nameOrPath, final String from)
    {
        final SymbolLookup lookup;
        try
        {
            // The library stays loaded for the life of the process: MPI cannot be unloaded and initialised again.
            lookup = SymbolLookup.libraryLookup(nameOrPath, Arena.global());
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalStateException("cannot load the MPI library '" + nameOrPath + "' (" + from
                + "; set " + Setting.MPI_LIBRARY.sources() + " to its name or path): " + e.getMessage(), e);
        }
        return new MpiLibrary(nameOrPath, lookup);
    }

    /** The process's library, loaded when first asked for. */
    private static final class SystemLibrary
    {
        static final MpiLibrary LIBRARY = load();

        private static MpiLibrary load()
        {
            final Setting setting = Setting.MPI_LIBRARY;
            return setting.explicitValue().map(name -> open(name, "set by " + setting.sources()))
                .orElseGet(() -> open(setting.defaultValue().orElseThrow(), "the default"));
        }
    }

    /**
     * @return the name or path the library was loaded by.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return {@code MPI_COMM_WORLD}.
     */
    public MpiComm world()
    {
        return world;
    }

    /**
     * @return {@code MPI_COMM_SELF}.
     */
    public MpiComm self()
    {
        return self;
    }

    /**
     * {@code MPI_Init_thread}, then {@code MPI_ERRORS_RETURN} on the world and self communicators.
     *
     * @param required the thread level asked for.
     * @return the level the library provides, which may be lower.
     */
    public ThreadLevel initThread(final ThreadLevel required)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment provided = arena.allocate(INT);
            // No argc and argv: Open MPI reads what mpirun passes from the environment.
            final int rc = (int)initThread.invokeExact(MemorySegment.NULL, MemorySegment.NULL, required.code(),
                provided);
            check("MPI_Init_thread", rc);
            check("MPI_Comm_set_errhandler", (int)commSetErrhandler.invokeExact(world.handle(), errorsReturn));
            check("MPI_Comm_set_errhandler", (int)commSetErrhandler.invokeExact(self.handle(), errorsReturn));
            return ThreadLevel.of(provided.get(INT, 0));
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /**
     * @return whether {@code MPI_Init_thread} has been called ({@code MPI_Initialized}).
     */
    public boolean initialized()
    {
        return flag("MPI_Initialized", initialized);
    }

    /**
     * @return whether {@code MPI_Finalize} has been called ({@code MPI_Finalized}).
     */
    public boolean finalized()
    {
        return flag("MPI_Finalized", finalized);
    }

    /**
     * {@code MPI_Finalize}: every rank calls it once, after its last MPI call.
     */
    public void finalizeMpi()
    {
        try
        {
            check("MPI_Finalize", (int)finalize.invokeExact());
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /**
     * {@code MPI_Abort}: ends every rank of the communicator's job, this one included.
     *
     * @param comm     the communicator whose job to end.
     * @param exitCode the code the job's launcher reports.
     */
    public void abort(final MpiComm comm, final int exitCode)
    {
        try
        {
            check("MPI_Abort", (int)abort.invokeExact(comm.handle(), exitCode));
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /**
     * @param comm a communicator.
     * @return this rank's index in it ({@code MPI_Comm_rank}).
     */
    public int rank(final MpiComm comm)
    {
        return intOf("MPI_Comm_rank", commRank, comm);
    }

    /**
     * @param comm a communicator.
     * @return its number of ranks ({@code MPI_Comm_size}).
     */
    public int size(final MpiComm comm)
    {
        return intOf("MPI_Comm_size", commSize, comm);
    }

    /**
     * {@code MPI_Comm_split}. Collective.
     *
     * @param comm  the communicator to split.
     * @param color this rank's group (zero or more), or {@link OpenMpiAbi#UNDEFINED} for none.
     * @param key   order within the group.
     * @return the caller's new communicator, or null for colour {@link OpenMpiAbi#UNDEFINED}.
     */
    public MpiComm split(final MpiComm comm, final int color, final int key)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment out = arena.allocate(PTR);
            check("MPI_Comm_split", (int)commSplit.invokeExact(comm.handle(), color, key, out));
            return madeComm(out);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /**
     * {@code MPI_Comm_split_type} with {@code MPI_COMM_TYPE_SHARED}: the ranks that can share memory with this
     * one, ordered by key then rank. Collective.
     *
     * @param comm the communicator to split.
     * @param key  order within the group.
     * @return the caller's node communicator.
     */
    public MpiComm splitShared(final MpiComm comm, final int key)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment out = arena.allocate(PTR);
            check("MPI_Comm_split_type", (int)commSplitType.invokeExact(comm.handle(), OpenMpiAbi.COMM_TYPE_SHARED,
                key, infoNull, out));
            final MpiComm made = madeComm(out);
            if (made == null)
            {
                throw new IllegalStateException("MPI_Comm_split_type(MPI_COMM_TYPE_SHARED) gave MPI_COMM_NULL");
            }
            return made;
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /**
     * {@code MPI_Comm_free}. Collective.
     *
     * @param comm a communicator made by a split, freed once.
     * @throws IllegalArgumentException for the world or self communicator.
     */
    public void free(final MpiComm comm)
    {
        if (comm.predefined())
        {
            throw new IllegalArgumentException("the world and self communicators are the library's, not freed");
        }
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment slot = arena.allocate(PTR);
            slot.set(PTR, 0, comm.handle());
            check("MPI_Comm_free", (int)commFree.invokeExact(slot));
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /**
     * {@code MPI_Barrier}. Collective; blocks the calling thread until every rank has called it.
     *
     * @param comm the communicator.
     */
    public void barrier(final MpiComm comm)
    {
        try
        {
            check("MPI_Barrier", (int)barrier.invokeExact(comm.handle()));
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /**
     * {@code MPI_Bcast} of {@code count} elements at {@code offset}. Collective.
     *
     * @param comm   the communicator.
     * @param array  a primitive array: the root's is read, every other rank's written.
     * @param offset first element.
     * @param count  number of elements.
     * @param root   the rank whose elements are copied.
     */
    public void broadcast(final MpiComm comm, final Object array, final int offset, final int count, final int root)
    {
        final MpiDatatype type = MpiDatatype.of(array);
        try (Arena arena = Arena.ofConfined())
        {
            final boolean isRoot = rank(comm) == root;
            final MemorySegment buffer = isRoot ? copyIn(arena, type, array, offset, count)
                : arena.allocate(type.layout(), Math.max(1, count));
            check("MPI_Bcast", (int)bcast.invokeExact(buffer, count, datatypes.get(type), root, comm.handle()));
            if (!isRoot)
            {
                copyOut(type, buffer, array, offset, count);
            }
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /**
     * {@code MPI_Allreduce} of the first {@code count} elements. Collective.
     *
     * @param comm    the communicator.
     * @param send    this rank's values, a primitive array.
     * @param receive an array of the same type for the result.
     * @param count   number of elements.
     * @param op      the reduction.
     */
    public void allReduce(final MpiComm comm, final Object send, final Object receive, final int count,
        final MpiOp op)
    {
        final MpiDatatype type = sameType(send, receive);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment in = copyIn(arena, type, send, 0, count);
            final MemorySegment out = arena.allocate(type.layout(), Math.max(1, count));
            check("MPI_Allreduce", (int)allreduce.invokeExact(in, out, count, datatypes.get(type), ops.get(op),
                comm.handle()));
            copyOut(type, out, receive, 0, count);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /**
     * {@code MPI_Allgather}: every rank's first {@code count} elements of {@code send}, in rank order, into every
     * rank's {@code receive}. Collective.
     *
     * @param comm    the communicator.
     * @param send    this rank's contribution, a primitive array.
     * @param count   number of elements each rank contributes.
     * @param receive an array of the same type with room for {@code size(comm) * count} elements.
     */
    public void allGather(final MpiComm comm, final Object send, final int count, final Object receive)
    {
        final MpiDatatype type = sameType(send, receive);
        final int total = Math.multiplyExact(size(comm), count);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment in = copyIn(arena, type, send, 0, count);
            final MemorySegment out = arena.allocate(type.layout(), Math.max(1, total));
            final MemorySegment handle = datatypes.get(type);
            check("MPI_Allgather", (int)allgather.invokeExact(in, count, handle, out, count, handle, comm.handle()));
            copyOut(type, out, receive, 0, total);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /**
     * {@code MPI_Send}: blocks until the library has taken the elements (not necessarily until they arrive).
     *
     * @param comm   the communicator.
     * @param array  a primitive array.
     * @param offset first element to send.
     * @param count  number of elements.
     * @param dest   the receiving rank.
     * @param tag    the message's tag, zero or more.
     */
    public void send(final MpiComm comm, final Object array, final int offset, final int count, final int dest,
        final int tag)
    {
        final MpiDatatype type = MpiDatatype.of(array);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment buffer = copyIn(arena, type, array, offset, count);
            check("MPI_Send", (int)send.invokeExact(buffer, count, datatypes.get(type), dest, tag, comm.handle()));
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /**
     * {@code MPI_Recv}: blocks the calling thread until a matching message arrives.
     *
     * @param comm   the communicator.
     * @param array  a primitive array to receive into.
     * @param offset first element to write.
     * @param count  room for at most this many elements.
     * @param source the sending rank, or {@link OpenMpiAbi#ANY_SOURCE}.
     * @param tag    the tag, or {@link OpenMpiAbi#ANY_TAG}.
     * @return the message's sender, tag and number of elements.
     */
    public MpiStatus receive(final MpiComm comm, final Object array, final int offset, final int count,
        final int source, final int tag)
    {
        final MpiDatatype type = MpiDatatype.of(array);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment buffer = arena.allocate(type.layout(), Math.max(1, count));
            final MemorySegment status = arena.allocate(OpenMpiAbi.STATUS);
            check("MPI_Recv", (int)recv.invokeExact(buffer, count, datatypes.get(type), source, tag, comm.handle(),
                status));
            final MpiStatus result = status(arena, status, type);
            copyOut(type, buffer, array, offset, result.count());
            return result;
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /**
     * {@code MPI_Iprobe}: whether a matching message can be received now. Does not wait.
     *
     * @param comm   the communicator.
     * @param source the sending rank, or {@link OpenMpiAbi#ANY_SOURCE}.
     * @param tag    the tag, or {@link OpenMpiAbi#ANY_TAG}.
     * @param type   the datatype in which to count the message's elements.
     * @return the waiting message's sender, tag and number of elements, or null when none waits.
     */
    public MpiStatus probe(final MpiComm comm, final int source, final int tag, final MpiDatatype type)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment flag = arena.allocate(INT);
            final MemorySegment status = arena.allocate(OpenMpiAbi.STATUS);
            check("MPI_Iprobe", (int)iprobe.invokeExact(source, tag, comm.handle(), flag, status));
            return flag.get(INT, 0) == 0 ? null : status(arena, status, type);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /**
     * {@code MPI_Irecv}: posts a receive and returns. The message lands in native memory the request owns and is
     * copied into {@code array} when {@link MpiRequest#test()} first finds it complete.
     *
     * @param comm   the communicator.
     * @param array  a primitive array to receive into, written only by the request's {@code test()}.
     * @param offset first element to write.
     * @param count  room for at most this many elements.
     * @param source the sending rank, or {@link OpenMpiAbi#ANY_SOURCE}.
     * @param tag    the tag, or {@link OpenMpiAbi#ANY_TAG}.
     * @return the request, owned by the caller until it completes or is closed.
     */
    public MpiRequest receiveLater(final MpiComm comm, final Object array, final int offset, final int count,
        final int source, final int tag)
    {
        final MpiDatatype type = MpiDatatype.of(array);
        // Shared: the request may be tested from a thread other than the one that posted it.
        final Arena arena = Arena.ofShared();
        try
        {
            final MemorySegment buffer = arena.allocate(type.layout(), Math.max(1, count));
            final MemorySegment request = arena.allocate(PTR);
            check("MPI_Irecv", (int)irecv.invokeExact(buffer, count, datatypes.get(type), source, tag, comm.handle(),
                request));
            return new MpiRequest(this, arena, request, MpiRequest.Kind.RECEIVE, buffer, type, array, offset, count);
        }
        catch (final Throwable t)
        {
            arena.close();
            throw rethrow(t);
        }
    }

    /**
     * {@code MPI_Isend}: starts a send of a copy of the elements and returns; the array may be reused at once.
     *
     * @param comm   the communicator.
     * @param array  a primitive array.
     * @param offset first element to send.
     * @param count  number of elements.
     * @param dest   the receiving rank.
     * @param tag    the message's tag, zero or more.
     * @return the request, complete once the library is done with the copy.
     */
    public MpiRequest sendLater(final MpiComm comm, final Object array, final int offset, final int count,
        final int dest, final int tag)
    {
        final MpiDatatype type = MpiDatatype.of(array);
        final Arena arena = Arena.ofShared();
        try
        {
            final MemorySegment buffer = copyIn(arena, type, array, offset, count);
            final MemorySegment request = arena.allocate(PTR);
            check("MPI_Isend", (int)isend.invokeExact(buffer, count, datatypes.get(type), dest, tag, comm.handle(),
                request));
            return new MpiRequest(this, arena, request, MpiRequest.Kind.NONE, null, type, null, 0, 0);
        }
        catch (final Throwable t)
        {
            arena.close();
            throw rethrow(t);
        }
    }

    /**
     * {@code MPI_Ibarrier}: starts a barrier and returns. Collective.
     *
     * @param comm the communicator.
     * @return the request, complete once every rank has entered the barrier.
     */
    public MpiRequest barrierLater(final MpiComm comm)
    {
        final Arena arena = Arena.ofShared();
        try
        {
            final MemorySegment request = arena.allocate(PTR);
            check("MPI_Ibarrier", (int)ibarrier.invokeExact(comm.handle(), request));
            return new MpiRequest(this, arena, request, MpiRequest.Kind.NONE, null, null, null, 0, 0);
        }
        catch (final Throwable t)
        {
            arena.close();
            throw rethrow(t);
        }
    }

    /**
     * {@code MPI_Iallreduce}: starts an all-reduce of the first {@code count} elements and returns; the result is
     * copied into {@code receive} when {@link MpiRequest#test()} first finds it complete. Collective.
     *
     * @param comm    the communicator.
     * @param send    this rank's values, a primitive array, copied at once.
     * @param receive an array of the same type for the result, written only by the request's {@code test()}.
     * @param count   number of elements.
     * @param op      the reduction.
     * @return the request.
     */
    public MpiRequest allReduceLater(final MpiComm comm, final Object send, final Object receive, final int count,
        final MpiOp op)
    {
        final MpiDatatype type = sameType(send, receive);
        final Arena arena = Arena.ofShared();
        try
        {
            final MemorySegment in = copyIn(arena, type, send, 0, count);
            final MemorySegment out = arena.allocate(type.layout(), Math.max(1, count));
            final MemorySegment request = arena.allocate(PTR);
            check("MPI_Iallreduce", (int)iallreduce.invokeExact(in, out, count, datatypes.get(type), ops.get(op),
                comm.handle(), request));
            return new MpiRequest(this, arena, request, MpiRequest.Kind.RESULT, out, type, receive, 0, count);
        }
        catch (final Throwable t)
        {
            arena.close();
            throw rethrow(t);
        }
    }

    /**
     * {@code MPI_Ibcast}: starts a broadcast and returns; on a rank other than the root the elements are copied
     * into {@code array} when {@link MpiRequest#test()} first finds it complete. Collective.
     *
     * @param comm   the communicator.
     * @param array  a primitive array: the root's is copied at once, every other rank's written on completion.
     * @param offset first element.
     * @param count  number of elements.
     * @param root   the rank whose elements are copied.
     * @return the request.
     */
    public MpiRequest broadcastLater(final MpiComm comm, final Object array, final int offset, final int count,
        final int root)
    {
        final MpiDatatype type = MpiDatatype.of(array);
        final boolean isRoot = rank(comm) == root;
        final Arena arena = Arena.ofShared();
        try
        {
            final MemorySegment buffer = isRoot ? copyIn(arena, type, array, offset, count)
                : arena.allocate(type.layout(), Math.max(1, count));
            final MemorySegment request = arena.allocate(PTR);
            check("MPI_Ibcast", (int)ibcast.invokeExact(buffer, count, datatypes.get(type), root, comm.handle(),
                request));
            return isRoot ? new MpiRequest(this, arena, request, MpiRequest.Kind.NONE, null, null, null, 0, 0)
                : new MpiRequest(this, arena, request, MpiRequest.Kind.RESULT, buffer, type, array, offset, count);
        }
        catch (final Throwable t)
        {
            arena.close();
            throw rethrow(t);
        }
    }

    /**
     * {@code MPI_Iallgather}: starts {@link #allGather} and returns; {@code receive} is written when
     * {@link MpiRequest#test()} first finds it complete. Collective.
     *
     * @param comm    the communicator.
     * @param send    this rank's contribution, a primitive array, copied at once.
     * @param count   number of elements each rank contributes.
     * @param receive an array of the same type with room for {@code size(comm) * count} elements.
     * @return the request.
     */
    public MpiRequest allGatherLater(final MpiComm comm, final Object send, final int count, final Object receive)
    {
        final MpiDatatype type = sameType(send, receive);
        final int total = Math.multiplyExact(size(comm), count);
        final Arena arena = Arena.ofShared();
        try
        {
            final MemorySegment in = copyIn(arena, type, send, 0, count);
            final MemorySegment out = arena.allocate(type.layout(), Math.max(1, total));
            final MemorySegment request = arena.allocate(PTR);
            final MemorySegment handle = datatypes.get(type);
            check("MPI_Iallgather", (int)iallgather.invokeExact(in, count, handle, out, count, handle, comm.handle(),
                request));
            return new MpiRequest(this, arena, request, MpiRequest.Kind.RESULT, out, type, receive, 0, total);
        }
        catch (final Throwable t)
        {
            arena.close();
            throw rethrow(t);
        }
    }

    /**
     * {@code MPI_Test} on a request slot; the request's side of {@link MpiRequest#test()}.
     *
     * @param type the datatype in which to count a received message, or null when the request is no receive.
     * @return the status when complete (for a request other than a receive, with no meaning), else null.
     */
    MpiStatus test(final Arena arena, final MemorySegment request, final MpiDatatype type)
    {
        try
        {
            final MemorySegment flag = arena.allocate(INT);
            final MemorySegment status = arena.allocate(OpenMpiAbi.STATUS);
            check("MPI_Test", (int)test.invokeExact(request, flag, status));
            if (flag.get(INT, 0) == 0)
            {
                return null;
            }
            return type == null ? new MpiStatus(-1, -1, 0) : status(arena, status, type);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /**
     * Ends a request that has not completed: a receive by {@code MPI_Cancel}, then {@code MPI_Wait} until the
     * library is done with its buffer (a receive that matched before the cancel completes normally); any other
     * request by {@code MPI_Wait} alone.
     */
    void finish(final MemorySegment request, final boolean cancel)
    {
        try
        {
            if (cancel)
            {
                check("MPI_Cancel", (int)this.cancel.invokeExact(request));
            }
            check("MPI_Wait", (int)waitRequest.invokeExact(request, MemorySegment.NULL));
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /**
     * @param request a request slot.
     * @return whether it holds {@code MPI_REQUEST_NULL}, as a completed request does.
     */
    boolean isNull(final MemorySegment request)
    {
        return request.get(PTR, 0).address() == requestNull.address();
    }

    /**
     * {@code MPI_Type_size}.
     *
     * @param type a datatype.
     * @return the library's size of one element in bytes.
     */
    public int typeSize(final MpiDatatype type)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment size = arena.allocate(INT);
            check("MPI_Type_size", (int)typeSize.invokeExact(datatypes.get(type), size));
            return size.get(INT, 0);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /**
     * {@code MPI_Get_library_version}, which MPI allows before {@code MPI_Init_thread} and after
     * {@code MPI_Finalize}.
     *
     * @return the library's own description, e.g. {@code Open MPI v4.1.4, package: Debian OpenMPI, ...}.
     */
    public String libraryVersion()
    {
        try (Arena arena = Arena.ofConfined())
        {
            // Room for more than MPI_MAX_LIBRARY_VERSION_STRING, so a wrong constant cannot overflow the buffer.
            final MemorySegment text = arena.allocate(4 * OpenMpiAbi.MAX_LIBRARY_VERSION_STRING);
            final MemorySegment length = arena.allocate(INT);
            check("MPI_Get_library_version", (int)libraryVersion.invokeExact(text, length));
            return text(text, length.get(INT, 0)).strip();
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /**
     * {@code MPI_Error_string}.
     *
     * @param errorCode an MPI error code.
     * @return the library's text for it, or an empty string when it has none.
     */
    public String errorText(final int errorCode)
    {
        try (Arena arena = Arena.ofConfined())
        {
            // Room for more than MPI_MAX_ERROR_STRING, so a wrong constant cannot overflow the buffer.
            final MemorySegment text = arena.allocate(4 * OpenMpiAbi.MAX_ERROR_STRING);
            final MemorySegment length = arena.allocate(INT);
            final int rc = (int)errorString.invokeExact(errorCode, text, length);
            if (rc != OpenMpiAbi.SUCCESS)
            {
                return "";
            }
            return text(text, length.get(INT, 0));
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    /** The first {@code length} bytes of {@code text} (within its size, and before any zero), as UTF-8. */
    private static String text(final MemorySegment text, final int length)
    {
        int n = Math.max(0, Math.min(length, (int)text.byteSize() - 1));
        for (int i = 0; i < n; i++)
        {
            if (text.get(ValueLayout.JAVA_BYTE, i) == 0)
            {
                n = i;
            }
        }
        return new String(text.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * @param symbol a symbol the library exports.
     * @return its address, e.g. a predefined handle's.
     * @throws IllegalStateException when the library does not export it.
     */
    MemorySegment symbol(final String symbol)
    {
        return lookup.find(symbol).orElseThrow(() -> new IllegalStateException("the MPI library '" + name
            + "' has no symbol " + symbol + ": pshmem's native MPI transport needs Open MPI 4 or 5"));
    }

    /**
     * @param type a datatype.
     * @return its handle.
     */
    MemorySegment handle(final MpiDatatype type)
    {
        return datatypes.get(type);
    }

    @SuppressWarnings("restricted")
    private MethodHandle function(final String symbol, final ValueLayout result, final ValueLayout... args)
    {
        return Linker.nativeLinker().downcallHandle(symbol(symbol), FunctionDescriptor.of(result, args));
    }

    private void check(final String function, final int rc)
    {
        if (rc != OpenMpiAbi.SUCCESS)
        {
            throw new MpiException(function, rc, errorText(rc));
        }
    }

    private boolean flag(final String function, final MethodHandle handle)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment flag = arena.allocate(INT);
            check(function, (int)handle.invokeExact(flag));
            return flag.get(INT, 0) != 0;
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    private int intOf(final String function, final MethodHandle handle, final MpiComm comm)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment value = arena.allocate(INT);
            check(function, (int)handle.invokeExact(comm.handle(), value));
            return value.get(INT, 0);
        }
        catch (final Throwable t)
        {
            throw rethrow(t);
        }
    }

    private MpiComm madeComm(final MemorySegment out)
    {
        final MemorySegment handle = out.get(PTR, 0);
        return handle.address() == commNull.address() ? null : new MpiComm(handle, false);
    }

    private MpiStatus status(final Arena arena, final MemorySegment status, final MpiDatatype type) throws Throwable
    {
        final MemorySegment count = arena.allocate(INT);
        check("MPI_Get_count", (int)getCount.invokeExact(status, datatypes.get(type), count));
        return new MpiStatus(status.get(INT, OpenMpiAbi.STATUS_SOURCE), status.get(INT, OpenMpiAbi.STATUS_TAG),
            count.get(INT, 0));
    }

    private static MpiDatatype sameType(final Object a, final Object b)
    {
        final MpiDatatype type = MpiDatatype.of(a);
        if (MpiDatatype.of(b) != type)
        {
            throw new IllegalArgumentException("arrays of different types: " + a.getClass().getSimpleName()
                + " and " + b.getClass().getSimpleName());
        }
        return type;
    }

    static MemorySegment copyIn(final Arena arena, final MpiDatatype type, final Object array, final int offset,
        final int count)
    {
        final MemorySegment buffer = arena.allocate(type.layout(), Math.max(1, count));
        MemorySegment.copy(array, offset, buffer, type.layout(), 0, count);
        return buffer;
    }

    static void copyOut(final MpiDatatype type, final MemorySegment buffer, final Object array, final int offset,
        final int count)
    {
        MemorySegment.copy(buffer, type.layout(), 0, array, offset, count);
    }

    private static RuntimeException rethrow(final Throwable t)
    {
        if (t instanceof RuntimeException e)
        {
            throw e;
        }
        if (t instanceof Error e)
        {
            throw e;
        }
        // Downcalls declare Throwable but throw nothing checked.
        throw new IllegalStateException(t);
    }
}
