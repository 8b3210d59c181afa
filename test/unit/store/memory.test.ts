import { memoryStoreLayer } from "../../../src/store/memory.ts"
import { storeContract } from "../../support/store-contract.ts"

storeContract("memory", () => ({ layer: memoryStoreLayer, namespace: "contract" }))
