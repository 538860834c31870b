-- Argo CD health check for Tailor's resources (group tailor.dev: ModelFleet, DeviceClass,
-- ModelVariant), from their kstatus-style conditions. Argo CD passes the object as `obj`.
--   Degraded     Stalled=True, or Ready=False while the operator is no longer working on it
--                (Reconciling not True), or phase Failed/Degraded
--   Healthy      Ready=True for the generation the operator observed; a ModelVariant (an
--                immutable record) once the operator has written its status
--   Progressing  anything else: no status yet, an unobserved generation, Reconciling=True
local hs = { status = "Progressing", message = "waiting for the Tailor operator" }

local function condition(status, type)
  if status.conditions == nil then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if c.type == type then
      return c
    end
  end
  return nil
end

local function describe(c)
  if c.message ~= nil and c.message ~= "" then
    return c.message
  end
  return c.reason or c.type
end

local status = obj.status
if status == nil then
  return hs
end
if obj.metadata.generation ~= nil and status.observedGeneration ~= nil
    and status.observedGeneration < obj.metadata.generation then
  hs.message = "waiting for the operator to observe generation " .. obj.metadata.generation
  return hs
end

local stalled = condition(status, "Stalled")
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = describe(stalled)
  return hs
end
if status.phase == "Failed" or status.phase == "Degraded" then
  hs.status = "Degraded"
  hs.message = "phase " .. status.phase
  local ready = condition(status, "Ready")
  if ready ~= nil then
    hs.message = hs.message .. ": " .. describe(ready)
  end
  return hs
end

local ready = condition(status, "Ready")
local reconciling = condition(status, "Reconciling")
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(ready)
  return hs
end
if reconciling ~= nil and reconciling.status == "True" then
  hs.message = describe(reconciling)
  return hs
end
if ready ~= nil and ready.status == "False" then
  hs.status = "Degraded"
  hs.message = describe(ready)
  return hs
end
if obj.kind == "ModelVariant" then
  hs.status = "Healthy"
  hs.message = "variant registered"
  if status.qualityGate ~= nil and status.qualityGate.passed == false then
    hs.message = "variant registered; outside the quality gate: " .. (status.qualityGate.message or "")
  end
  return hs
end
return hs
